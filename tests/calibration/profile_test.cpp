// Built-in calibration profiles: lookup by name, strict parsing, provenance.
#include "calibration/profile.hpp"

#include <gtest/gtest.h>

#include "sim/json_reader.hpp"

namespace v3sim::calibration {
namespace {

TEST(Profile, H800PublishedIsBuiltInWithProvenanceForEveryNumber) {
  const Profile& p = named_profile("h800-published", "/calibration");
  EXPECT_EQ(p.name, "h800-published");
  EXPECT_EQ(p.hardware, "h800");
  EXPECT_NE(p.description.find("DeepGEMM"), std::string::npos);
  EXPECT_NE(p.description.find("probes"), std::string::npos);
  for (const char* key : {"gemm.compute_efficiency", "gemm.hbm_efficiency", "gemm.fixed_us", "gemm.k_block_ns",
                          "attention_forward_efficiency", "attention_backward_efficiency", "memory_efficiency"}) {
    ASSERT_EQ(p.provenance.count(key), 1u) << key;
    EXPECT_FALSE(p.provenance.at(key).source.empty()) << key;
  }
  EXPECT_NE(p.provenance.at("gemm.compute_efficiency").source.find("deepgemm_h800.json"), std::string::npos);
  EXPECT_NE(p.provenance.at("attention_forward_efficiency").source.find("2407.08608"), std::string::npos);
  EXPECT_GT(p.gemm.compute_efficiency, 0.5);
  EXPECT_LE(p.gemm.compute_efficiency, 1.0);
  EXPECT_EQ(profile_names(), (std::vector<std::string>{"b200-published", "gb200-published", "h100-published",
                                                       "h200-published", "h800-published"}));
}

TEST(Profile, UnknownNameIsAnInputErrorWithASuggestion) {
  try {
    named_profile("h800-publshed", "/calibration");
    FAIL();
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/calibration");
    EXPECT_NE(std::string(e.what()).find("did you mean \"h800-published\"?"), std::string::npos) << e.what();
  }
  try {
    named_profile("tpu-v5", "/calibration");
    FAIL();
  } catch (const sim::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("known profiles: b200-published gb200-published h100-published h200-published h800-published"), std::string::npos) << e.what();
  }
}

nlohmann::json minimal_profile() {
  const auto param = [](double v) { return nlohmann::json{{"value", v}, {"source", "test"}}; };
  return {{"name", "t"},
          {"description", "d"},
          {"hardware", "h100"},
          {"gemm",
           {{"compute_efficiency", param(0.9)},
            {"hbm_efficiency", param(0.8)},
            {"fixed_us", param(1)},
            {"k_block_ns", param(40)}}},
          {"attention_forward_efficiency", param(0.6)},
          {"attention_backward_efficiency", param(0.5)},
          {"memory_efficiency", param(0.8)}};
}

TEST(Profile, ParsingIsStrict) {
  EXPECT_EQ(parse_profile(minimal_profile()).gemm.k_block_ns, 40);
  const auto pointer_of = [](const nlohmann::json& doc) {
    try {
      parse_profile(doc, "/calibration");
    } catch (const sim::InputError& e) {
      return e.pointer();
    }
    return std::string("(no error)");
  };
  nlohmann::json bad = minimal_profile();
  bad["gemm"]["hbm_efficiency"]["value"] = 1.2;  // above the datasheet peak
  EXPECT_EQ(pointer_of(bad), "/calibration/gemm/hbm_efficiency/value");
  bad = minimal_profile();
  bad["memory_efficiency"].erase("source");
  EXPECT_EQ(pointer_of(bad), "/calibration/memory_efficiency/source");
  bad = minimal_profile();
  bad["gemm"]["fixed_ms"] = bad["gemm"]["fixed_us"];
  EXPECT_EQ(pointer_of(bad), "/calibration/gemm/fixed_ms");
}

}  // namespace
}  // namespace v3sim::calibration
