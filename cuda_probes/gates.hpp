#pragma once
// One-thread kernels that hold a stream until something happens. Both give up
// after kGateTimeoutNs and set *timed_out = 1, so a broken setup (kernels
// serialised by CUDA_LAUNCH_BLOCKING=1, for instance) fails instead of hanging.
#include <cuda_runtime_api.h>

namespace v3sim::probes {

constexpr unsigned long long kGateTimeoutNs = 10'000'000'000ULL;

// Holds `stream` until the host sets *flag >= generation (flag in mapped,
// pinned host memory).
void launch_host_gate(const volatile int* flag, int generation, int* timed_out, cudaStream_t stream);

// Holds `stream` until *counter >= target (counter in device memory, raised by
// blocks of another kernel as they start).
void launch_counter_gate(const volatile unsigned* counter, unsigned target, int* timed_out, cudaStream_t stream);

}  // namespace v3sim::probes
