// Softmax cross-entropy on the cpu (f32 or f64). Rows are summed in order, in double, so the loss does
// not depend on the thread count; the heads are tiny next to the convolutions, so this stays serial.
#include <string>

#include "engine/ops/softmax_ce.h"
#include "kernels/softmax_ce_ops.h"

namespace aws {

static int32_t checked_label(const int32_t* labels, int64_t n, int64_t K) {
  const int32_t l = labels[n];
  if (l < 0 || l >= K)
    throw Error("softmax_ce: label " + std::to_string(l) + " of row " + std::to_string(n) + " is outside [0, " +
                std::to_string(K) + ")");
  return l;
}

template <class T>
static void ce_cpu(const SoftmaxCEParams& p, const Tensor& logits, const Tensor& labels, Tensor& loss,
                   Tensor& dlogits, Tensor& correct) {
  const int64_t N = logits.dim(0), K = logits.dim(1);
  const T* z = logits.as<T>();
  T* dz = dlogits.as<T>();
  const int32_t* lab = labels.i32();
  double sum = 0;
  int32_t right = 0;
  for (int64_t n = 0; n < N; ++n) {
    const int32_t l = checked_label(lab, n, K);
    right += row_argmax(z + n * K, K) == l;
    sum += softmax_ce_row(z + n * K, K, l, double(p.label_smoothing), 1.0 / double(N), dz + n * K);
  }
  loss.as<T>()[0] = T(sum / double(N));
  correct.i32()[0] = right;
}

template <class T>
static void count_cpu(const Tensor& logits, const Tensor& labels, Tensor& correct) {
  const int64_t N = logits.dim(0), K = logits.dim(1);
  const T* z = logits.as<T>();
  int32_t right = 0;
  for (int64_t n = 0; n < N; ++n) right += row_argmax(z + n * K, K) == checked_label(labels.i32(), n, K);
  correct.i32()[0] += right;
}

void softmax_ce_forward_backward_cpu(Ctx&, const SoftmaxCEParams& p, const SoftmaxCEArgs& a) {
  if (a.logits.dtype == DType::f64) return ce_cpu<double>(p, a.logits, a.labels, a.loss, a.dlogits, a.correct);
  ce_cpu<float>(p, a.logits, a.labels, a.loss, a.dlogits, a.correct);
}

void count_correct_cpu(Ctx&, const CountCorrectArgs& a) {
  if (a.logits.dtype == DType::f64) return count_cpu<double>(a.logits, a.labels, a.correct);
  count_cpu<float>(a.logits, a.labels, a.correct);
}

}  // namespace aws
