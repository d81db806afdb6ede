// Presets against the published numbers they were taken from.
#include "models/hardware.hpp"

#include <gtest/gtest.h>

#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

TEST(Hardware, H800MatchesThePublishedTable) {
  // Reference published-h800.md, section 1.
  const GpuPreset p = gpu_preset("h800");
  EXPECT_EQ(p.sms, 132);
  EXPECT_EQ(p.fp8_dense_tflops, 1979);
  EXPECT_EQ(p.bf16_dense_tflops, 989);
  EXPECT_DOUBLE_EQ(p.hbm_gb * 1e9, 84943110144.0);  // totalGlobalMem in the profiler trace
  EXPECT_EQ(p.hbm_tb_per_s, 3.35);
  EXPECT_EQ(p.nvlink_gb_per_s * 2, 400);  // 400 GB/s bidirectional
  EXPECT_EQ(p.nic_gbit_per_s, 400);
  EXPECT_EQ(p.nic_gbit_per_s / 8, 50);  // about 50 GB/s line rate
  EXPECT_EQ(p.gpus_per_nvlink_domain, 8);
}

TEST(Hardware, EveryFieldOfEveryPresetHasASource) {
  for (const std::string& name : gpu_preset_names()) {
    const GpuPreset p = gpu_preset(name);
    EXPECT_GE(p.sources.size(), 13u) << name;
    for (const auto& [field, source] : p.sources) EXPECT_FALSE(source.empty()) << name << " " << field;
  }
  EXPECT_EQ(gpu_preset("h100").nvlink_gb_per_s * 2, 900);  // H100 datasheet
}

TEST(Hardware, OverridesReplaceFieldsAndAreCheckedStrictly) {
  const GpuPreset p = gpu_preset("h800", {{"nic_achievable_gb_per_s", 25}}, "/cluster/node", "/cluster/overrides");
  EXPECT_EQ(p.nic_achievable_gb_per_s, 25);
  EXPECT_EQ(p.sources.at("nic_achievable_gb_per_s"), "scenario override");
  try {
    gpu_preset("h800", {{"nic_gbs", 25}}, "/cluster/node", "/cluster/overrides");
    FAIL();
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/cluster/overrides/nic_gbs");
  }
  try {
    gpu_preset("h8000", {}, "/cluster/node", "/cluster/overrides");
    FAIL();
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/cluster/node");
    EXPECT_NE(std::string(e.what()).find("did you mean \"h800\""), std::string::npos);
  }
}

}  // namespace
}  // namespace v3sim::models
