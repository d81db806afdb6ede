#pragma once
// One cuBLASLt matmul, described and planned once, run many times.
//
// cuBLASLt is column-major. Its FP8 kernels need the "TN" layout: op(A) = A^T
// with A stored k x m (K contiguous), op(B) = B stored k x n (K contiguous),
// and K a multiple of 16. The problem here is stated in those terms:
// D[m x n] = A^T B, D column-major with leading dimension m.
#include <cublasLt.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace v3sim::probes {

enum class Precision { kFp8E4M3, kBf16 };

// How FP8 operands carry their scales (ignored for BF16).
enum class Fp8Scaling {
  kTensor,  // one FP32 scale per tensor
  kBlock,   // A: one FP32 scale per 128x128 block; B: one per 1x128 run along K
            // (DeepSeek-V3's weights and activations; cuBLASLt 12.9+ on Hopper)
};

struct LtProblem {
  Precision precision = Precision::kFp8E4M3;
  Fp8Scaling scaling = Fp8Scaling::kTensor;
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
  int batch = 1;      // > 1: strided batch, one kernel, operands packed back to back
  int sm_target = 0;  // CUBLASLT_MATMUL_DESC_SM_COUNT_TARGET; 0: the device's SMs
};

class LtPlan {
 public:
  // Descriptors for `p` and the heuristic's best algorithm. Returns null and
  // sets *reason when cuBLASLt rejects the combination or has no algorithm.
  // The scale pointers (FP8 only) are fixed here; they are device pointers.
  static std::unique_ptr<LtPlan> create(cublasLtHandle_t handle, const LtProblem& p, const float* a_scale,
                                        const float* b_scale, std::size_t workspace_bytes, std::string* reason);
  ~LtPlan();
  LtPlan(const LtPlan&) = delete;
  LtPlan& operator=(const LtPlan&) = delete;

  // D = A^T B (alpha 1, beta 0) on `stream`; a cuBLASLt error stops the probe.
  void run(const void* a, const void* b, void* d, void* workspace, cudaStream_t stream) const;
  // The same, returning cuBLASLt's status: a trial run, since a heuristic's
  // algorithm can still be refused at launch.
  cublasStatus_t try_run(const void* a, const void* b, void* d, void* workspace, cudaStream_t stream) const;

  const LtProblem& problem() const { return problem_; }
  float waves() const { return waves_; }  // the heuristic's estimate of waves on the SM target

 private:
  LtPlan(cublasLtHandle_t handle, const LtProblem& p) : handle_(handle), problem_(p) {}

  cublasLtHandle_t handle_;
  LtProblem problem_;
  cublasLtMatmulDesc_t desc_ = nullptr;
  cublasLtMatrixLayout_t a_ = nullptr;
  cublasLtMatrixLayout_t b_ = nullptr;
  cublasLtMatrixLayout_t d_ = nullptr;
  cublasLtMatmulAlgo_t algo_{};
  std::size_t workspace_bytes_ = 0;
  float waves_ = 0;
};

}  // namespace v3sim::probes
