#include "check.hpp"

#include <cstdio>
#include <cstdlib>

namespace v3sim::probes {

void fail_cuda(cudaError_t error, const char* call, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: %s failed: %s (%s)\n", file, line, call, cudaGetErrorString(error),
               cudaGetErrorName(error));
  std::exit(1);
}

void fail_cublas(cublasStatus_t status, const char* call, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: %s failed: %s\n", file, line, call, cublasLtGetStatusString(status));
  std::exit(1);
}

}  // namespace v3sim::probes
