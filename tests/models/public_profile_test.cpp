// Per-GPU profiles from public data (models::profile_from_public_data):
// b200-published is what its command builds from h800-published and the
// B200's public numbers, and a B200 run on it is not scaled again.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <tuple>

#include "calibration/profile.hpp"
#include "calibration/cost_model.hpp"
#include "models/hardware.hpp"
#include "models/training/stage_plan.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

nlohmann::json public_data(const std::string& gpu) {
  std::ifstream in(std::string(V3SIM_SOURCE_DIR) + "/calibration/reference/" + gpu + "_public.json");
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

nlohmann::json public_b200() { return public_data("b200"); }

// Each shipped public-data profile is its command's output (docs/calibration.md).
TEST(PublicProfile, ShippedProfilesAreTheirCommandsOutput) {
  for (const auto& [base, preset, gpu] : {std::tuple{"h800-published", "b200", "b200"},
                                          {"h800-published", "h100", "h100"},
                                          {"h800-published", "h200", "h200"},
                                          {"b200-published", "gb200-nvl72", "gb200"}}) {
    const std::string name = std::string(gpu) + "-published";
    const calibration::Profile built =
        profile_from_public_data(calibration::named_profile(base, ""), gpu_preset(preset), public_data(gpu), name);
    EXPECT_EQ(calibration::profile_to_json(built), calibration::profile_to_json(calibration::named_profile(name, "")))
        << name;
    std::string statement;
    profile_for_gpu(calibration::named_profile(name, ""), gpu_preset(preset), statement);
    EXPECT_TRUE(statement.empty()) << name << ": a run on its own GPU is not scaled again";
  }
}

// The H200's weight-gradient rate reproduces DeepGEMM's k-grouped benchmark
// on that GPU (deepseek-ai/DeepGEMM issue #107): 813 and 858 TFLOPS.
TEST(PublicProfile, H200WeightGradientsAtDeepGemmsBenchmark) {
  const calibration::Profile& p = calibration::named_profile("h200-published", "");
  const calibration::DeviceRates d = device_rates(gpu_preset("h200"));
  for (const auto& [k, published] : {std::pair{4096, 813.0}, std::pair{8192, 858.0}}) {
    const calibration::GemmShape s{7168, 4096, k, 4};
    const double seconds =
        p.kernel_class("gemm_wgrad").time_scale * calibration::gemm_seconds(p, d, s, calibration::GemmPrecision::kFp8, 132);
    EXPECT_NEAR(s.flops() / seconds / 1e12 / published, 1.0, 0.005) << "avg K " << k;
  }
}

// The public numbers replace the rule's: 1460 / 2250 and 1000 / 2250 for
// attention at MLA's shape (no H800 shape correction), 643 GB/s / 24 SMs for
// DeepEP; the rest is the rule's (rmsnorm's bandwidth x HBM 8 / 3.35).
TEST(PublicProfile, PublicNumbersOverTheRule) {
  const calibration::Profile& h800 = calibration::named_profile("h800-published", "");
  const calibration::Profile& b200 = calibration::named_profile("b200-published", "");
  EXPECT_EQ(b200.hardware, "b200");
  EXPECT_NEAR(b200.attention_forward_efficiency, 1460.0 / 2250, 1e-4);
  EXPECT_NEAR(b200.attention_backward_efficiency, 1000.0 / 2250, 1e-4);
  EXPECT_DOUBLE_EQ(b200.kernel_class("attention_fwd").time_scale, 1);
  EXPECT_NEAR(b200.comm_gb_per_s_per_sm, 643.0 / 24, 0.01);
  EXPECT_NE(b200.provenance.at("comm_gb_per_s_per_sm").source.find("DeepEP"), std::string::npos);
  EXPECT_NEAR(b200.kernel_class("rmsnorm").gb_per_s / h800.kernel_class("rmsnorm").gb_per_s,
              gpu_preset("b200").hbm_tb_per_s / gpu_preset("h800").hbm_tb_per_s, 1e-9);
  std::string statement;
  profile_for_gpu(b200, gpu_preset("b200"), statement);
  EXPECT_TRUE(statement.empty()) << statement;
  profile_for_gpu(h800, gpu_preset("b200"), statement);
  EXPECT_FALSE(statement.empty());
}

TEST(PublicProfile, BadEntryNamesItsPointer) {
  nlohmann::json bad = public_b200();
  bad["attention_forward_efficiency"]["value"] = 1.5;  // above the peak
  try {
    profile_from_public_data(calibration::named_profile("h800-published", ""), gpu_preset("b200"), bad, "x");
    FAIL();
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/attention_forward_efficiency/value");
  }
}

}  // namespace
}  // namespace v3sim::models
