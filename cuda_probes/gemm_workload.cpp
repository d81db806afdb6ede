#include "gemm_workload.hpp"

#include <algorithm>
#include <cstdio>

#include "fill.hpp"

namespace v3sim::probes {
namespace {

constexpr std::size_t kWorkspaceBytes = std::size_t{32} << 20;  // cuBLASLt's advice for Hopper
constexpr int kMaxCopies = 16;

std::size_t ceil_div(std::int64_t a, std::int64_t b) { return static_cast<std::size_t>((a + b - 1) / b); }

}  // namespace

std::string GemmSpec::label() const {
  char text[96];
  std::snprintf(text, sizeof text, "%s %lldx%lldx%lld x%d", precision_name().c_str(), static_cast<long long>(m),
                static_cast<long long>(n), static_cast<long long>(k), groups);
  return text;
}

GemmWorkload::GemmWorkload(cublasLtHandle_t handle, const GemmSpec& spec, const DeviceInfo& device, cudaStream_t stream)
    : handle_(handle), spec_(spec), device_(device.index) {
  const std::size_t element = spec.precision == Precision::kFp8E4M3 ? 1 : 2;
  const auto groups = static_cast<std::size_t>(spec.groups);
  const auto m = static_cast<std::size_t>(spec.m);
  const auto n = static_cast<std::size_t>(spec.n);
  const auto k = static_cast<std::size_t>(spec.k);
  x_bytes_ = groups * m * k * element;
  w_bytes_ = groups * n * k * element;
  y_bytes_ = groups * m * n * 2;

  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
  CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
  const std::size_t per_copy = x_bytes_ + w_bytes_ + y_bytes_;
  const double wanted = 2.5 * static_cast<double>(device.l2_bytes) / static_cast<double>(x_bytes_ + w_bytes_);
  int copies = std::clamp(static_cast<int>(wanted) + 1, 1, kMaxCopies);
  while (copies > 1 && copies * per_copy > free_bytes / 2) --copies;
  for (int c = 0; c < copies; ++c) {
    x_.emplace_back(x_bytes_, device_);
    w_.emplace_back(w_bytes_, device_);
    y_.emplace_back(y_bytes_, device_);
  }
  // Block scales for one group, with a block of slack on every side (their
  // values do not affect the timing; every group and copy shares them).
  const std::size_t k_blocks = ceil_div(spec.k, 128) + 1;
  x_scale_ = DeviceBuffer((ceil_div(spec.m, 128) + 1) * 128 * k_blocks * sizeof(float), device_);
  w_scale_ = DeviceBuffer((ceil_div(spec.n, 128) + 1) * k_blocks * sizeof(float), device_);
  workspace_ = DeviceBuffer(kWorkspaceBytes, device_);
  refill(1, stream);
}

void GemmWorkload::refill(std::uint32_t seed, cudaStream_t stream) {
  const bool fp8 = spec_.precision == Precision::kFp8E4M3;
  const std::size_t element = fp8 ? 1 : 2;
  for (std::size_t c = 0; c < x_.size(); ++c) {
    const auto salt = static_cast<std::uint32_t>(2 * c);
    if (fp8) {
      // Values spread over E4M3's range, as after DeepSeek-V3's per-block scaling (amax -> 448).
      fill_fp8_e4m3(x_[c].get(), x_bytes_ / element, seed * 7919 + salt, 448.0f, stream);
      fill_fp8_e4m3(w_[c].get(), w_bytes_ / element, seed * 7919 + salt + 1, 448.0f, stream);
    } else {
      fill_bf16(x_[c].get(), x_bytes_ / element, seed * 7919 + salt, 1.0f, stream);
      fill_bf16(w_[c].get(), w_bytes_ / element, seed * 7919 + salt + 1, 1.0f, stream);
    }
  }
  fill_f32(x_scale_.as<float>(), x_scale_.bytes() / sizeof(float), seed + 11, 0.5f, 1.5f, stream);
  fill_f32(w_scale_.as<float>(), w_scale_.bytes() / sizeof(float), seed + 13, 0.5f, 1.5f, stream);
  CUDA_CHECK(cudaStreamSynchronize(stream));
}

std::unique_ptr<LtPlan> GemmWorkload::tried_plan(const LtProblem& p, cudaStream_t stream, std::string* reason) const {
  std::unique_ptr<LtPlan> plan =
      LtPlan::create(handle_, p, w_scale_.as<float>(), x_scale_.as<float>(), kWorkspaceBytes, reason);
  if (plan == nullptr) return nullptr;
  const cublasStatus_t s = plan->try_run(w_[0].get(), x_[0].get(), y_[0].get(), workspace_.get(), stream);
  // An error inside a kernel is sticky and ends the probe here; a refused
  // launch is not, and only this case is lost.
  CUDA_CHECK(cudaStreamSynchronize(stream));
  if (s != CUBLAS_STATUS_SUCCESS) {
    (void)cudaGetLastError();
    *reason = std::string("cuBLASLt refused to run the heuristic's algorithm (") + cublasLtGetStatusString(s) + ")";
    return nullptr;
  }
  CUDA_CHECK(cudaGetLastError());
  return plan;
}

bool GemmWorkload::plan(int sm_target, cudaStream_t stream, std::string* reason) {
  LtProblem p;
  p.precision = spec_.precision;
  p.m = spec_.n;  // cuBLASLt's A is W, its B is X (see the header)
  p.n = spec_.m;
  p.k = spec_.k;
  p.batch = spec_.batched ? spec_.groups : 1;
  p.sm_target = sm_target;
  plan_.reset();
  fallback_.clear();
  if (spec_.precision == Precision::kFp8E4M3) {
    p.scaling = Fp8Scaling::kBlock;
    scaling_ = Fp8Scaling::kBlock;
    plan_ = tried_plan(p, stream, &fallback_);
    if (plan_ == nullptr) {
      p.scaling = Fp8Scaling::kTensor;
      scaling_ = Fp8Scaling::kTensor;
    }
  }
  if (plan_ == nullptr) {
    std::string why;
    plan_ = tried_plan(p, stream, &why);
    if (plan_ == nullptr) {
      *reason = fallback_.empty() ? why : "block scaling: " + fallback_ + "; per-tensor scaling: " + why;
      return false;
    }
  }
  return true;
}

void GemmWorkload::run(cudaStream_t stream, int iteration) const {
  const std::size_t c = static_cast<std::size_t>(iteration) % x_.size();
  const auto* x = static_cast<const char*>(x_[c].get());
  const auto* w = static_cast<const char*>(w_[c].get());
  auto* y = static_cast<char*>(y_[c].get());
  if (spec_.batched || spec_.groups == 1) {
    plan_->run(w, x, y, workspace_.get(), stream);
    return;
  }
  const std::size_t groups = static_cast<std::size_t>(spec_.groups);
  for (std::size_t g = 0; g < groups; ++g)
    plan_->run(w + g * (w_bytes_ / groups), x + g * (x_bytes_ / groups), y + g * (y_bytes_ / groups), workspace_.get(),
               stream);
}

std::string GemmWorkload::method(int executions_per_run) const {
  const bool fp8 = spec_.precision == Precision::kFp8E4M3;
  char waves[32];
  std::snprintf(waves, sizeof waves, "%.2f", static_cast<double>(plan_->waves()));
  std::string m = "cuBLASLt matmul, the heuristic's first algorithm for SM count target " +
                  std::to_string(plan_->problem().sm_target) + " (its estimate: " + waves + " waves); ";
  m += fp8 ? "FP8 E4M3" : "BF16";
  m += " X[M x K] and W[N x K], both K-major (cuBLASLt TN with X and W swapped), BF16 Y[M x N], FP32 accumulation";
  if (fp8) {
    m += scaling_ == Fp8Scaling::kBlock
             ? "; block scaling as DeepSeek-V3 and DeepGEMM: FP32 scales per 1x128 of X and per 128x128 of W"
             : "; per-tensor FP32 scales (no block-scaled algorithm: " + fallback_ +
                   "), unlike DeepGEMM's block scaling";
  }
  if (spec_.groups > 1)
    m += spec_.batched
             ? "; " + std::to_string(spec_.groups) + " batches as one strided-batched GEMM"
             : "; " + std::to_string(spec_.groups) + " groups as back-to-back GEMMs on one stream, timed together";
  m += "; each timed run: " + std::to_string(executions_per_run) + " execution(s) back to back over " +
       std::to_string(x_.size()) + " operand copies after an L2 flush, time divided by executions";
  return m;
}

}  // namespace v3sim::probes
