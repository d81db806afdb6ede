#pragma once
// A GEMM case as the probes run it, in DeepGEMM's terms:
//   Y[m x n] = X[m x k] W[n x k]^T, X and W K-major, Y row-major BF16,
// or `groups` such products with their own W and their own rows of X and Y
// (a grouped expert GEMM, contiguous layout, m rows per group).
// cuBLASLt is column-major, so it computes Y^T = W X^T: its A is W (n x k
// rows, K contiguous, transposed) and its B is X, which is the "TN" layout
// its FP8 kernels require.
#include <cublasLt.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cuda_handles.hpp"
#include "device_info.hpp"
#include "lt_plan.hpp"

namespace v3sim::probes {

struct GemmSpec {
  Precision precision = Precision::kFp8E4M3;
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
  int groups = 1;
  bool batched = false;  // groups as one strided-batched kernel, not back-to-back GEMMs

  std::string precision_name() const { return precision == Precision::kFp8E4M3 ? "fp8_e4m3" : "bf16"; }
  std::string label() const;  // "fp8_e4m3 4096x7168x2048 x4"
  double flops() const {
    return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) * groups;
  }
};

class GemmWorkload {
 public:
  // Allocates the operands: as many copies as it takes for a batch of
  // back-to-back executions to read them from HBM rather than L2 (more than
  // 2.5 x L2 in all, at most 16 copies and half the free memory).
  GemmWorkload(cublasLtHandle_t handle, const GemmSpec& spec, const DeviceInfo& device, cudaStream_t stream);

  // Fresh random operands (and scales) for a new case.
  void refill(std::uint32_t seed, cudaStream_t stream);

  // Plans for an SM-count target and runs the plan once on `stream` as a
  // trial. FP8 tries DeepSeek-V3's block scaling first and falls back to
  // per-tensor scaling where cuBLASLt has no block-scaled algorithm or refuses
  // to run it. Returns false, with *reason, when nothing can run.
  bool plan(int sm_target, cudaStream_t stream, std::string* reason);

  // One execution (all groups) on operand copy iteration % copies.
  void run(cudaStream_t stream, int iteration) const;

  // How the planned case runs, for the case's "method" field.
  std::string method(int executions_per_run) const;
  const GemmSpec& spec() const { return spec_; }

 private:
  cublasLtHandle_t handle_;
  GemmSpec spec_;
  int device_ = 0;
  std::size_t x_bytes_ = 0;  // per copy, all groups
  std::size_t w_bytes_ = 0;
  std::size_t y_bytes_ = 0;
  std::vector<DeviceBuffer> x_;
  std::vector<DeviceBuffer> w_;
  std::vector<DeviceBuffer> y_;
  DeviceBuffer x_scale_;  // per-tensor: one float; block: one per 1x128 run of one group's X
  DeviceBuffer w_scale_;  // per-tensor: one float; block: one per 128x128 block of one group's W
  DeviceBuffer workspace_;
  // A plan for `p` that survived a trial run, or null with *reason.
  std::unique_ptr<LtPlan> tried_plan(const LtProblem& p, cudaStream_t stream, std::string* reason) const;

  std::unique_ptr<LtPlan> plan_;
  Fp8Scaling scaling_ = Fp8Scaling::kTensor;
  std::string fallback_;  // why block scaling was not used, if it was not
};

}  // namespace v3sim::probes
