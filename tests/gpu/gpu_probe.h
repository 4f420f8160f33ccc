// The gpu suite's skip rule: without a usable GPU (no device, no driver — the CUDA runtime reports
// "insufficient driver" — or a binary built without the cuda backend) the whole binary exits 77, which
// CTest reports as skipped. gpu_probe.cpp runs the check once, before doctest starts.
#pragma once

namespace aws::test {
// Exits the process with 77 (after printing why) when Ctx(Device::cuda) cannot be created.
bool require_gpu_or_skip();
}  // namespace aws::test
