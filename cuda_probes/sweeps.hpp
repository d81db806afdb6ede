#pragma once
// What the probes sweep: GEMM shapes, SM targets, thread-block counts.
#include <vector>

#include "gemm_workload.hpp"

namespace v3sim::probes {

// DeepGEMM's benchmark shapes, as published for H800 (the project's
// reference notes, section 5): 18 normal GEMMs and 4 grouped ones
// (contiguous layout; m is the rows per group).
std::vector<GemmSpec> deepgemm_shapes();

// BF16 GEMMs with MLA attention's shapes, for the BF16 rate: 128 heads of a
// 4096-token sequence, head dims 192 (q, k) and 128 (v), each a strided-batched
// GEMM over the heads (one kernel, groups = 128):
//   scores  S = Q K^T      m 4096, n 4096, k 192
//   output  O = P V        m 4096, n 128,  k 4096
//   dQ = dS K (and dK)     m 4096, n 192,  k 4096
//   dP = dO V^T            m 4096, n 4096, k 128
std::vector<GemmSpec> attention_shapes();

// SM-count targets for GEMMs: all SMs, then 112 (132 minus DeepSeek-V3's 20
// communication SMs), 96, 66 (half) and 33 (a quarter); those above the
// device's count are dropped.
std::vector<int> gemm_sm_targets(int device_sms);

// Thread-block (= SM) counts for the communication and copy kernels:
// 4, 8, 12, 16, 20, 24, 32, 48, 64, 96 and all SMs.
std::vector<int> block_counts(int device_sms);

}  // namespace v3sim::probes
