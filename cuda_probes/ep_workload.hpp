#pragma once
// The buffers of one expert-parallel exchange and the kernels that move them.
// The kernels run on the home GPU; the receive side (dispatch's FP8 payload
// and scales, combine's expert outputs) lives on the target GPU: the home GPU
// itself ("local": HBM only) or a peer ("peer": dispatch writes and combine
// reads over NVLink, through peer access).
#include <cuda_runtime_api.h>

#include <cstdint>

#include "cuda_handles.hpp"
#include "ep_kernels.hpp"

namespace v3sim::probes {

struct EpShape {
  int tokens = 4096;  // per rank, as DeepEP's benchmark and DeepSeek-V3's training
  int hidden = 7168;
  int topk = 8;
  int experts = 256;
};

// Bytes one kernel call moves, counted three ways: what it reads and writes
// (every array, routing included), and DeepEP's logical bytes: per received
// token copy, H + H/128*4 bytes for an FP8 token with its scales, 2H for BF16.
struct EpBytes {
  double read = 0;
  double written = 0;
  double logical = 0;
};

class EpWorkload {
 public:
  // Throws std::invalid_argument unless hidden is a multiple of 256.
  EpWorkload(const EpShape& shape, int home_device, int target_device, std::uint64_t seed, cudaStream_t stream);

  void dispatch(cudaStream_t stream, const SmBoundLaunch& launch, unsigned* started = nullptr) const;
  void combine(cudaStream_t stream, const SmBoundLaunch& launch) const;

  EpBytes dispatch_bytes() const;
  EpBytes combine_bytes() const;
  const EpShape& shape() const { return shape_; }

 private:
  EpShape shape_;
  DeviceBuffer input_;         // home: [tokens][hidden] BF16
  DeviceBuffer row_;           // home: [tokens][topk] int32
  DeviceBuffer weight_;        // home: [tokens][topk] float
  DeviceBuffer recv_payload_;  // target: [tokens * topk][hidden] FP8
  DeviceBuffer recv_scales_;   // target: [tokens * topk][hidden / 128] float
  DeviceBuffer expert_out_;    // target: [tokens * topk][hidden] BF16
  DeviceBuffer output_;        // home: [tokens][hidden] BF16
};

}  // namespace v3sim::probes
