#include "lt_plan.hpp"

#include <cstdint>

#include "check.hpp"

namespace v3sim::probes {
namespace {

// A layout for a column-major rows x cols matrix, `batch` of them packed back to back.
cublasStatus_t make_layout(cublasLtMatrixLayout_t* layout, cudaDataType_t type, std::int64_t rows, std::int64_t cols,
                           int batch) {
  cublasStatus_t s = cublasLtMatrixLayoutCreate(layout, type, static_cast<std::uint64_t>(rows),
                                                static_cast<std::uint64_t>(cols), rows);
  if (s != CUBLAS_STATUS_SUCCESS || batch <= 1) return s;
  const std::int32_t count = batch;
  const std::int64_t stride = rows * cols;
  s = cublasLtMatrixLayoutSetAttribute(*layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof count);
  if (s != CUBLAS_STATUS_SUCCESS) return s;
  return cublasLtMatrixLayoutSetAttribute(*layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride, sizeof stride);
}

template <class T>
cublasStatus_t set(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attribute, const T& value) {
  return cublasLtMatmulDescSetAttribute(desc, attribute, &value, sizeof value);
}

std::string failed(const char* what, cublasStatus_t s) {
  return std::string(what) + " (" + cublasLtGetStatusString(s) + ")";
}

}  // namespace

std::unique_ptr<LtPlan> LtPlan::create(cublasLtHandle_t handle, const LtProblem& p, const float* a_scale,
                                       const float* b_scale, std::size_t workspace_bytes, std::string* reason) {
  std::unique_ptr<LtPlan> plan(new LtPlan(handle, p));
  const bool fp8 = p.precision == Precision::kFp8E4M3;
  const cudaDataType_t in = fp8 ? CUDA_R_8F_E4M3 : CUDA_R_16BF;

  CUBLAS_CHECK(cublasLtMatmulDescCreate(&plan->desc_, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  CUBLAS_CHECK(set(plan->desc_, CUBLASLT_MATMUL_DESC_TRANSA, CUBLAS_OP_T));
  CUBLAS_CHECK(set(plan->desc_, CUBLASLT_MATMUL_DESC_TRANSB, CUBLAS_OP_N));
  if (p.sm_target > 0) {
    const std::int32_t sms = p.sm_target;
    if (const cublasStatus_t s = set(plan->desc_, CUBLASLT_MATMUL_DESC_SM_COUNT_TARGET, sms);
        s != CUBLAS_STATUS_SUCCESS) {
      *reason = failed("cuBLASLt rejected the SM count target", s);
      return nullptr;
    }
  }
  if (fp8) {
    if (p.scaling == Fp8Scaling::kBlock) {
      const std::int32_t a_mode = CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F;
      const std::int32_t b_mode = CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F;
      cublasStatus_t s = set(plan->desc_, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, a_mode);
      if (s == CUBLAS_STATUS_SUCCESS) s = set(plan->desc_, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, b_mode);
      if (s != CUBLAS_STATUS_SUCCESS) {
        *reason = failed("cuBLASLt rejected block scaling", s);
        return nullptr;
      }
    }
    const void* a_pointer = a_scale;
    const void* b_pointer = b_scale;
    CUBLAS_CHECK(set(plan->desc_, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, a_pointer));
    CUBLAS_CHECK(set(plan->desc_, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, b_pointer));
  }

  // A is stored k x m, B k x n (K contiguous in both); D (and C, unused with beta 0) m x n, BF16.
  CUBLAS_CHECK(make_layout(&plan->a_, in, p.k, p.m, p.batch));
  CUBLAS_CHECK(make_layout(&plan->b_, in, p.k, p.n, p.batch));
  CUBLAS_CHECK(make_layout(&plan->d_, CUDA_R_16BF, p.m, p.n, p.batch));

  cublasLtMatmulPreference_t preference = nullptr;
  CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&preference));
  const std::uint64_t max_workspace = workspace_bytes;
  CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                    &max_workspace, sizeof max_workspace));
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  const cublasStatus_t s = cublasLtMatmulAlgoGetHeuristic(handle, plan->desc_, plan->a_, plan->b_, plan->d_, plan->d_,
                                                          preference, 1, &result, &found);
  (void)cublasLtMatmulPreferenceDestroy(preference);
  if (s != CUBLAS_STATUS_SUCCESS || found == 0) {
    *reason = s != CUBLAS_STATUS_SUCCESS ? failed("the cuBLASLt heuristic found no algorithm", s)
                                         : "the cuBLASLt heuristic found no algorithm";
    return nullptr;
  }
  plan->algo_ = result.algo;
  plan->workspace_bytes_ = workspace_bytes;
  plan->waves_ = result.wavesCount;
  return plan;
}

LtPlan::~LtPlan() {
  if (d_ != nullptr) (void)cublasLtMatrixLayoutDestroy(d_);
  if (b_ != nullptr) (void)cublasLtMatrixLayoutDestroy(b_);
  if (a_ != nullptr) (void)cublasLtMatrixLayoutDestroy(a_);
  if (desc_ != nullptr) (void)cublasLtMatmulDescDestroy(desc_);
}

void LtPlan::run(const void* a, const void* b, void* d, void* workspace, cudaStream_t stream) const {
  CUBLAS_CHECK(try_run(a, b, d, workspace, stream));
}

cublasStatus_t LtPlan::try_run(const void* a, const void* b, void* d, void* workspace, cudaStream_t stream) const {
  const float alpha = 1.0f;
  const float beta = 0.0f;
  return cublasLtMatmul(handle_, desc_, &alpha, a, a_, b, b_, &beta, d, d_, d, d_, &algo_, workspace, workspace_bytes_,
                        stream);
}

}  // namespace v3sim::probes
