// The job's world communicator, made once for the whole test binary (MPI is initialized once and
// finalized at exit), shared by the dist suites.
#pragma once
#include <memory>

#include "engine/dist/communicator.h"

namespace aws::test {

inline Communicator& world() {
  static std::unique_ptr<Communicator> w = make_world_communicator();
  return *w;
}

}  // namespace aws::test
