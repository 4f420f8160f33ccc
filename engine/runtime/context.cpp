#include "core/context.h"

#include <thread>

#include "core/cuda_dispatch.h"
#include "kernels/cuda_state.h"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace aws {

Ctx::Ctx(DeviceSpec dev, int nthreads) : device(dev.kind), gpu(dev.gpu) {
  threads = nthreads > 0 ? nthreads : int(std::thread::hardware_concurrency());
  if (threads <= 0) threads = 1;
#if defined(_OPENMP)
  omp_set_num_threads(threads);
#endif
  if (dev.is_cuda()) cuda = AWS_CUDA_CALL(cuda_state_create, (gpu));
}

Ctx::~Ctx() {
  if (dnnl && dnnl_free) dnnl_free(dnnl);
  if (cuda) AWS_CUDA_CALL(cuda_state_destroy, (cuda));
}

void Ctx::sync() {
  if (cuda) AWS_CUDA_CALL(cuda_sync, (cuda));
}

}  // namespace aws
