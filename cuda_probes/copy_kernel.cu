#include "check.hpp"
#include "copy_kernel.hpp"

namespace v3sim::probes {
namespace {

__global__ void __launch_bounds__(kSmBoundThreads, 1)
    copy_kernel(uint4* __restrict__ dst, const uint4* __restrict__ src, std::size_t count) {
  constexpr int kInFlight = 4;
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  for (; i + (kInFlight - 1) * stride < count; i += kInFlight * stride) {
    uint4 v[kInFlight];
#pragma unroll
    for (int u = 0; u < kInFlight; ++u) v[u] = __ldg(src + i + u * stride);
#pragma unroll
    for (int u = 0; u < kInFlight; ++u) dst[i + u * stride] = v[u];
  }
  for (; i < count; i += stride) dst[i] = __ldg(src + i);
}

}  // namespace

void launch_copy(void* dst, const void* src, std::size_t bytes, const SmBoundLaunch& launch, cudaStream_t stream) {
  CUDA_CHECK(cudaFuncSetAttribute(copy_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                  static_cast<int>(launch.shared_bytes)));
  copy_kernel<<<launch.blocks, kSmBoundThreads, launch.shared_bytes, stream>>>(
      static_cast<uint4*>(dst), static_cast<const uint4*>(src), bytes / sizeof(uint4));
  CUDA_CHECK_LAUNCH();
}

}  // namespace v3sim::probes
