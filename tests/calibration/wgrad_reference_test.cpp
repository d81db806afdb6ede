// The weight-gradient GEMMs' rate, fitted on DeepSeek's trace, held against
// a kernel benchmark it was not fitted to: DeepGEMM's k-grouped FP8 wgrad
// GEMM on an H200 (deepseek-ai/DeepGEMM issue #107, CUDA 12.4, commit
// 78d8362; docs/hardware-data.md): 4 groups of m 7168, n 4096 at an average
// K of 4096 tokens: 813 TFLOPS (1183 us); at 8192: 858 TFLOPS. The H200 has
// the H800's SMs, clock and tensor peak.
#include <gtest/gtest.h>

#include "calibration/cost_model.hpp"
#include "calibration/profile.hpp"
#include "models/hardware.hpp"
#include "models/training/stage_plan.hpp"

namespace v3sim {
namespace {

TEST(WgradReference, TraceFittedRateMatchesDeepGemmKGroupedBenchmark) {
  const calibration::Profile& p = calibration::named_profile("h800-published", "");
  const calibration::DeviceRates d = models::device_rates(models::gpu_preset("h200"));
  const double scale = p.kernel_class("gemm_wgrad").time_scale;
  for (const auto& [k, published_tflops] : {std::pair{4096, 813.0}, std::pair{8192, 858.0}}) {
    const calibration::GemmShape s{7168, 4096, k, 4};
    const double seconds = scale * calibration::gemm_seconds(p, d, s, calibration::GemmPrecision::kFp8, 132);
    EXPECT_NEAR(s.flops() / seconds / 1e12 / published_tflops, 1.0, 0.10) << "avg K " << k;
  }
}

}  // namespace
}  // namespace v3sim
