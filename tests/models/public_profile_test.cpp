// Per-GPU profiles from public data (models::profile_from_public_data):
// b200-published is what its command builds from h800-published and the
// B200's public numbers, and a B200 run on it is not scaled again.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "calibration/profile.hpp"
#include "models/hardware.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

nlohmann::json public_b200() {
  std::ifstream in(std::string(V3SIM_SOURCE_DIR) + "/calibration/reference/b200_public.json");
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

TEST(PublicProfile, ShippedB200ProfileIsItsCommandsOutput) {
  const calibration::Profile built = profile_from_public_data(calibration::named_profile("h800-published", ""),
                                                              gpu_preset("b200"), public_b200(), "b200-published");
  EXPECT_EQ(calibration::profile_to_json(built), calibration::profile_to_json(calibration::named_profile("b200-published", "")));
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
