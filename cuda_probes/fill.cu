#include <cuda_bf16.h>
#include <cuda_fp8.h>

#include "check.hpp"
#include "fill.hpp"

namespace v3sim::probes {
namespace {

constexpr int kThreads = 256;
constexpr int kMaxBlocks = 4096;

// A 32-bit integer hash (lowbias32, Chris Wellons): cheap and well mixed.
__device__ std::uint32_t mix(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

// Uniform in [-1, 1).
__device__ float uniform(std::size_t i, std::uint32_t seed) {
  const std::uint32_t h = mix(static_cast<std::uint32_t>(i) ^ mix(seed ^ static_cast<std::uint32_t>(i >> 32)));
  return static_cast<float>(h >> 8) * (2.0f / 16777216.0f) - 1.0f;
}

__global__ void fill_bf16_kernel(__nv_bfloat16* dst, std::size_t count, std::uint32_t seed, float scale) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    dst[i] = __float2bfloat16(scale * uniform(i, seed));
}

__global__ void fill_fp8_kernel(__nv_fp8_e4m3* dst, std::size_t count, std::uint32_t seed, float scale) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    dst[i] = __nv_fp8_e4m3(scale * uniform(i, seed));
}

__global__ void fill_f32_kernel(float* dst, std::size_t count, std::uint32_t seed, float low, float high) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    dst[i] = low + (high - low) * 0.5f * (uniform(i, seed) + 1.0f);
}

unsigned blocks_for(std::size_t count) {
  const std::size_t needed = (count + kThreads - 1) / kThreads;
  return static_cast<unsigned>(needed < kMaxBlocks ? (needed > 0 ? needed : 1) : kMaxBlocks);
}

}  // namespace

void fill_bf16(void* dst, std::size_t count, std::uint32_t seed, float scale, cudaStream_t stream) {
  fill_bf16_kernel<<<blocks_for(count), kThreads, 0, stream>>>(static_cast<__nv_bfloat16*>(dst), count, seed, scale);
  CUDA_CHECK_LAUNCH();
}

void fill_fp8_e4m3(void* dst, std::size_t count, std::uint32_t seed, float scale, cudaStream_t stream) {
  fill_fp8_kernel<<<blocks_for(count), kThreads, 0, stream>>>(static_cast<__nv_fp8_e4m3*>(dst), count, seed, scale);
  CUDA_CHECK_LAUNCH();
}

void fill_f32(float* dst, std::size_t count, std::uint32_t seed, float low, float high, cudaStream_t stream) {
  fill_f32_kernel<<<blocks_for(count), kThreads, 0, stream>>>(dst, count, seed, low, high);
  CUDA_CHECK_LAUNCH();
}

}  // namespace v3sim::probes
