#include <cuda_bf16.h>
#include <cuda_fp8.h>

#include "check.hpp"
#include "ep_kernels.hpp"

namespace v3sim::probes {
namespace {

constexpr unsigned kFullMask = 0xffffffffu;
constexpr float kE4M3Max = 448.0f;
constexpr float kMinAmax = 1e-4f;  // as DeepEP: keeps an all-zero block's scale finite

__device__ __forceinline__ void bf16x8_to_float(const uint4& raw, float (&v)[8]) {
  const auto* pairs = reinterpret_cast<const __nv_bfloat162*>(&raw);
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const float2 f = __bfloat1622float2(pairs[i]);
    v[2 * i] = f.x;
    v[2 * i + 1] = f.y;
  }
}

__device__ __forceinline__ uint2 float8_to_e4m3(const float (&v)[8], float inverse_scale) {
  std::uint32_t words[2];
#pragma unroll
  for (int w = 0; w < 2; ++w) {
    const std::uint32_t low = __nv_cvt_float2_to_fp8x2(
        make_float2(v[4 * w] * inverse_scale, v[4 * w + 1] * inverse_scale), __NV_SATFINITE, __NV_E4M3);
    const std::uint32_t high = __nv_cvt_float2_to_fp8x2(
        make_float2(v[4 * w + 2] * inverse_scale, v[4 * w + 3] * inverse_scale), __NV_SATFINITE, __NV_E4M3);
    words[w] = low | (high << 16);
  }
  return make_uint2(words[0], words[1]);
}

__device__ __forceinline__ uint4 float8_to_bf16(const float (&v)[8]) {
  uint4 out;
  auto* pairs = reinterpret_cast<__nv_bfloat162*>(&out);
#pragma unroll
  for (int i = 0; i < 4; ++i) pairs[i] = __floats2bfloat162_rn(v[2 * i], v[2 * i + 1]);
  return out;
}

// Each warp takes two (token, 256-channel) items per step and loads both
// before storing either, to keep more bytes in flight per SM.
__global__ void __launch_bounds__(kSmBoundThreads, 1) dispatch_kernel(DispatchParams p) {
  if (p.started != nullptr && threadIdx.x == 0) atomicAdd(p.started, 1u);
  const int lane = static_cast<int>(threadIdx.x % 32);
  const long long warps = static_cast<long long>(gridDim.x) * (blockDim.x / 32);
  const long long warp = static_cast<long long>(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32;
  const int chunks = p.hidden / kChannelsPerWarpStep;
  const long long items = static_cast<long long>(p.tokens) * chunks;
  const int scales_per_row = p.hidden / kChannelsPerScale;
  const auto* input = static_cast<const __nv_bfloat16*>(p.input);
  auto* payload = static_cast<std::uint8_t*>(p.recv_payload);

  for (long long first = warp; first < items; first += 2 * warps) {
    uint4 raw[2] = {make_uint4(0, 0, 0, 0), make_uint4(0, 0, 0, 0)};
#pragma unroll
    for (int u = 0; u < 2; ++u) {
      const long long item = first + u * warps;
      if (item < items) {
        const long long token = item / chunks;
        const int channel = static_cast<int>(item % chunks) * kChannelsPerWarpStep + lane * 8;
        raw[u] = __ldg(reinterpret_cast<const uint4*>(input + token * p.hidden + channel));
      }
    }
#pragma unroll
    for (int u = 0; u < 2; ++u) {
      const long long item = first + u * warps;
      if (item >= items) break;  // the same for the whole warp
      const long long token = item / chunks;
      const int channel = static_cast<int>(item % chunks) * kChannelsPerWarpStep + lane * 8;
      float v[8];
      bf16x8_to_float(raw[u], v);
      float amax = 0.0f;
#pragma unroll
      for (int i = 0; i < 8; ++i) amax = fmaxf(amax, fabsf(v[i]));
        // 16 lanes hold one 128-channel scale group.
#pragma unroll
      for (int offset = 8; offset > 0; offset /= 2) amax = fmaxf(amax, __shfl_xor_sync(kFullMask, amax, offset));
      const float scale = fmaxf(amax, kMinAmax) / kE4M3Max;
      const uint2 packed = float8_to_e4m3(v, 1.0f / scale);
      const int group = channel / kChannelsPerScale;
      for (int k = 0; k < p.topk; ++k) {
        const long long r = __ldg(p.row + token * p.topk + k);
        *reinterpret_cast<uint2*>(payload + r * p.hidden + channel) = packed;
        if (lane % 16 == 0) p.recv_scales[r * scales_per_row + group] = scale;
      }
    }
  }
}

// Loads of up to four copies are issued before they are summed.
__global__ void __launch_bounds__(kSmBoundThreads, 1) combine_kernel(CombineParams p) {
  constexpr int kLoadsInFlight = 4;
  const int lane = static_cast<int>(threadIdx.x % 32);
  const long long warps = static_cast<long long>(gridDim.x) * (blockDim.x / 32);
  const long long warp = static_cast<long long>(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32;
  const int chunks = p.hidden / kChannelsPerWarpStep;
  const long long items = static_cast<long long>(p.tokens) * chunks;
  const auto* expert_out = static_cast<const __nv_bfloat16*>(p.expert_out);
  auto* output = static_cast<__nv_bfloat16*>(p.output);

  for (long long item = warp; item < items; item += warps) {
    const long long token = item / chunks;
    const int channel = static_cast<int>(item % chunks) * kChannelsPerWarpStep + lane * 8;
    float sum[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int k0 = 0; k0 < p.topk; k0 += kLoadsInFlight) {
      uint4 raw[kLoadsInFlight];
      float gate[kLoadsInFlight];
#pragma unroll
      for (int u = 0; u < kLoadsInFlight; ++u) {
        const int k = k0 + u;
        raw[u] = make_uint4(0, 0, 0, 0);
        gate[u] = 0.0f;
        if (k < p.topk) {
          const long long r = __ldg(p.row + token * p.topk + k);
          gate[u] = __ldg(p.weight + token * p.topk + k);
          raw[u] = __ldg(reinterpret_cast<const uint4*>(expert_out + r * p.hidden + channel));
        }
      }
#pragma unroll
      for (int u = 0; u < kLoadsInFlight; ++u) {
        float v[8];
        bf16x8_to_float(raw[u], v);
#pragma unroll
        for (int i = 0; i < 8; ++i) sum[i] += gate[u] * v[i];
      }
    }
    *reinterpret_cast<uint4*>(output + token * p.hidden + channel) = float8_to_bf16(sum);
  }
}

}  // namespace

void launch_dispatch(const DispatchParams& p, const SmBoundLaunch& launch, cudaStream_t stream) {
  CUDA_CHECK(cudaFuncSetAttribute(dispatch_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                  static_cast<int>(launch.shared_bytes)));
  dispatch_kernel<<<launch.blocks, kSmBoundThreads, launch.shared_bytes, stream>>>(p);
  CUDA_CHECK_LAUNCH();
}

void launch_combine(const CombineParams& p, const SmBoundLaunch& launch, cudaStream_t stream) {
  CUDA_CHECK(cudaFuncSetAttribute(combine_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                  static_cast<int>(launch.shared_bytes)));
  combine_kernel<<<launch.blocks, kSmBoundThreads, launch.shared_bytes, stream>>>(p);
  CUDA_CHECK_LAUNCH();
}

}  // namespace v3sim::probes
