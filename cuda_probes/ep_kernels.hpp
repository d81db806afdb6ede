#pragma once
// Kernels doing the memory work of expert-parallel dispatch and combine
// (DeepEP's normal kernels, without the network protocol).
//
// Dispatch: read each token's BF16 hidden vector, quantise it to FP8 E4M3 with
// one FP32 scale per 128 channels (scale = amax / 448), and write payload and
// scales to the receive rows of its top-k copies.
// Combine: for each token, read its top-k BF16 expert outputs, weight them by
// the gates, sum in FP32 and write one BF16 vector.
//
// One warp handles 256 channels of one token per step (8 per lane, 16-byte
// loads), so `hidden` must be a multiple of 256.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "sm_bound.hpp"

namespace v3sim::probes {

constexpr int kChannelsPerWarpStep = 256;
constexpr int kChannelsPerScale = 128;

struct DispatchParams {
  const void* input = nullptr;        // [tokens][hidden] BF16
  const std::int32_t* row = nullptr;  // [tokens][topk] receive row of each copy
  void* recv_payload = nullptr;       // [tokens * topk][hidden] FP8 E4M3
  float* recv_scales = nullptr;       // [tokens * topk][hidden / 128]
  int tokens = 0;
  int hidden = 0;
  int topk = 0;
  unsigned* started = nullptr;  // optional: each block adds 1 when it starts
};

struct CombineParams {
  const void* expert_out = nullptr;   // [tokens * topk][hidden] BF16, by receive row
  const std::int32_t* row = nullptr;  // [tokens][topk]
  const float* weight = nullptr;      // [tokens][topk] gate weights
  void* output = nullptr;             // [tokens][hidden] BF16
  int tokens = 0;
  int hidden = 0;
  int topk = 0;
};

void launch_dispatch(const DispatchParams& p, const SmBoundLaunch& launch, cudaStream_t stream);
void launch_combine(const CombineParams& p, const SmBoundLaunch& launch, cudaStream_t stream);

}  // namespace v3sim::probes
