#include "check.hpp"
#include "gates.hpp"

namespace v3sim::probes {
namespace {

__device__ unsigned long long global_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

__global__ void host_gate_kernel(const volatile int* flag, int generation, int* timed_out) {
  const unsigned long long start = global_ns();
  while (*flag < generation) {
    if (global_ns() - start > kGateTimeoutNs) {
      *timed_out = 1;
      return;
    }
    __nanosleep(1000);
  }
}

__global__ void counter_gate_kernel(const volatile unsigned* counter, unsigned target, int* timed_out) {
  const unsigned long long start = global_ns();
  while (*counter < target) {
    if (global_ns() - start > kGateTimeoutNs) {
      *timed_out = 1;
      return;
    }
    __nanosleep(100);
  }
}

}  // namespace

void launch_host_gate(const volatile int* flag, int generation, int* timed_out, cudaStream_t stream) {
  host_gate_kernel<<<1, 1, 0, stream>>>(flag, generation, timed_out);
  CUDA_CHECK_LAUNCH();
}

void launch_counter_gate(const volatile unsigned* counter, unsigned target, int* timed_out, cudaStream_t stream) {
  counter_gate_kernel<<<1, 1, 0, stream>>>(counter, target, timed_out);
  CUDA_CHECK_LAUNCH();
}

}  // namespace v3sim::probes
