// v3sim calibrate's fits recover known parameters from noisy synthetic probe
// files, hold cases out, and the probe reader names bad fields.
#include "calibration/calibrate.hpp"

#include <gtest/gtest.h>

#include "calibration/probe_file.hpp"
#include "sim/json_reader.hpp"
#include "synthetic_probes.hpp"

namespace v3sim::calibration {
namespace {

using testing::Generator;
using testing::kH100;
using testing::Truth;

std::vector<ProbeFile> synthetic_files(const Truth& truth, double noise) {
  Generator g(truth, noise, 7);
  return {read_probe_file(g.gemm(), "gemm.json"), read_probe_file(g.alltoall(), "alltoall.json"),
          read_probe_file(g.hbm(), "hbm.json"), read_probe_file(g.interference(), "interference.json")};
}

TEST(Calibrate, RecoversKnownParametersFromNoisyProbes) {
  const Truth truth;
  const CalibrationResult r = calibrate(synthetic_files(truth, 0.02), kH100, named_profile("h800-published", ""),
                                        "synthetic", "h100");
  const Profile& p = r.profile;
  EXPECT_NEAR(p.gemm.compute_efficiency / truth.gemm.compute_efficiency, 1, 0.03);
  EXPECT_NEAR(p.gemm.hbm_efficiency / truth.gemm.hbm_efficiency, 1, 0.05);
  EXPECT_NEAR(p.comm_gb_per_s_per_sm / 6.0, 1, 0.04);
  EXPECT_NEAR(p.memory_gb_per_s_per_sm / 40.0, 1, 0.04);
  EXPECT_NEAR(p.memory_efficiency / (2.6 / 3.35), 1, 0.04);
  EXPECT_NEAR(p.overlap_compute_slowdown, 1.12, 0.03);
  // Unmeasured parameters keep the base profile's values and sources.
  EXPECT_DOUBLE_EQ(p.attention_forward_efficiency, named_profile("h800-published", "").attention_forward_efficiency);
  EXPECT_NE(p.provenance.at("gemm.compute_efficiency").source.find("v3sim calibrate"), std::string::npos);
  int held = 0;
  for (const CalibrationCase& c : r.cases) {
    held += !c.fitted;
    EXPECT_LT(std::abs(c.relative_error()), 0.08) << c.group << " " << c.label;
  }
  // Held out: grouped, BF16 and the 96-SM GEMMs, transfers at 12 and 48 SMs.
  EXPECT_EQ(held, 16 + 1 + 1 + 4 + 2);
}

TEST(Calibrate, ExactDataGivesExactRates) {
  const Truth truth;
  const CalibrationResult r = calibrate(synthetic_files(truth, 0), kH100, named_profile("h800-published", ""), "x", "h100");
  EXPECT_NEAR(r.profile.comm_gb_per_s_per_sm, 6.0, 1e-6);
  EXPECT_NEAR(r.profile.gemm.fixed_us, truth.gemm.fixed_us, 1e-6);
  EXPECT_NEAR(r.profile.gemm.k_block_ns, truth.gemm.k_block_ns, 1e-6);
  // The written profile reads back to the same numbers.
  const Profile back = parse_profile(profile_to_json(r.profile));
  EXPECT_DOUBLE_EQ(back.comm_gb_per_s_per_sm, r.profile.comm_gb_per_s_per_sm);
  EXPECT_DOUBLE_EQ(back.overlap_compute_slowdown, r.profile.overlap_compute_slowdown);
  EXPECT_DOUBLE_EQ(back.gemm.compute_efficiency, r.profile.gemm.compute_efficiency);
}

// A rate fit by hand: 1 us latency, 10 GB/s per SM up to 100 GB/s.
TEST(RateFit, SaturatingRateByHand) {
  std::vector<RateSample> s;
  for (int sms : {2, 4, 6, 8, 16, 32}) {
    const double bytes = 1e8;
    s.push_back({"", sms, bytes, 1e-6 + bytes / std::min(sms * 10e9, 100e9)});
  }
  const RateFit f = fit_rate(s);
  EXPECT_NEAR(f.model.latency_s, 1e-6, 1e-12);
  EXPECT_NEAR(f.model.per_sm_bytes_per_s, 10e9, 1);
  EXPECT_NEAR(f.model.saturated_bytes_per_s, 100e9, 10);
}

std::string pointer_of(const nlohmann::json& doc) {
  try {
    read_probe_file(doc, "f.json");
  } catch (const sim::InputError& e) {
    return e.pointer();
  }
  return "no error";
}

TEST(ProbeFile, BadFieldsAreNamedByPointer) {
  Generator g(Truth{}, 0, 1);
  nlohmann::json doc = g.gemm();
  doc["cases"][3]["m"] = "sixty-four";
  EXPECT_EQ(pointer_of(doc), "/cases/3/m");
  doc = g.gemm();
  doc["cases"][5].erase("median_s");
  EXPECT_EQ(pointer_of(doc), "/cases/5/median_s");
  doc = g.alltoall();
  doc["cases"][0]["target"] = "remote";
  EXPECT_EQ(pointer_of(doc), "/cases/0/target");
  doc = g.hbm();
  doc.erase("cases");  // a file cut short
  EXPECT_EQ(pointer_of(doc), "/cases");
  doc = g.hbm();
  doc["format"] = "v3sim-probes/2";
  EXPECT_EQ(pointer_of(doc), "/format");
  doc = g.hbm();
  doc["cases"][1]["min_s"] = 1.0;  // above the median
  EXPECT_EQ(pointer_of(doc), "/cases/1/median_s");
}

}  // namespace
}  // namespace v3sim::calibration
