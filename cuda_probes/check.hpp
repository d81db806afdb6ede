#pragma once
// Error checks for every CUDA and cuBLASLt call. A probe that hits an error
// cannot produce a number worth keeping, so it stops at once with exit code 1,
// naming the call, its file:line and the library's own error string, and
// writes no output file.
#include <cublasLt.h>
#include <cuda_runtime_api.h>

namespace v3sim::probes {

[[noreturn]] void fail_cuda(cudaError_t error, const char* call, const char* file, int line);
[[noreturn]] void fail_cublas(cublasStatus_t status, const char* call, const char* file, int line);

}  // namespace v3sim::probes

#define CUDA_CHECK(call)                                                                                  \
  do {                                                                                                    \
    const cudaError_t probe_error_ = (call);                                                              \
    if (probe_error_ != cudaSuccess) ::v3sim::probes::fail_cuda(probe_error_, #call, __FILE__, __LINE__); \
  } while (0)

// After a kernel launch: launch errors (bad configuration, too many resources).
// Errors while the kernel runs surface at the next synchronising call, which is
// checked too (the event synchronisation of every timed run).
#define CUDA_CHECK_LAUNCH() CUDA_CHECK(cudaGetLastError())

#define CUBLAS_CHECK(call)                                                    \
  do {                                                                        \
    const cublasStatus_t probe_status_ = (call);                              \
    if (probe_status_ != CUBLAS_STATUS_SUCCESS)                               \
      ::v3sim::probes::fail_cublas(probe_status_, #call, __FILE__, __LINE__); \
  } while (0)
