// fit_trace recovers known kernel-class parameters from a trace whose
// kernel durations were made from them.
#include <gtest/gtest.h>

#include "calibration/trace_fit.hpp"

namespace v3sim::calibration {
namespace {

TraceKernel kernel(const std::string& cls, double dur_us, int blocks, int annotation = -1) {
  TraceKernel k;
  k.name = cls + "_kernel";
  k.kernel_class = cls;
  k.dur_us = dur_us;
  k.grid = {blocks, 1, 1};
  k.annotation = annotation;
  return k;
}

// Two layer pairs. Known parameters: tiny kernels of 3 us (the common
// launch time), casts at 2000 GB/s on 112 SMs, GEMMs 1.25x the model,
// notify kernels 900 us each, element-wise kernels 3 us (6 per pair in
// attention(F)).
TEST(TraceFit, RecoversKnownParameters) {
  ProfilerTrace t;
  t.annotations.push_back({"attn(F)", "attention", "F", 0, 10});
  const double cast_bytes = 400e6;  // per layer pair, over 4 launches
  for (int pair = 0; pair < 2; ++pair) {
    for (int i = 0; i < 4; ++i) t.kernels.push_back(kernel("cast_fp8", 3 + cast_bytes / 4 / 2000e9 * 1e6, 4096));
    t.kernels.push_back(kernel("gemm_fp8", 1.25 * 800, 112));
    t.kernels.push_back(kernel("gemm_fp8", 1.25 * 200, 112));
    for (int i = 0; i < 2; ++i) t.kernels.push_back(kernel("ep_notify", 900, 20));
    for (int i = 0; i < 6; ++i) t.kernels.push_back(kernel("elementwise", 3, 8, 0));
    t.kernels.push_back(kernel("misc", 3, 1));  // tiny: sets the common launch time with the above
    t.kernels.push_back(kernel("misc", 3, 1));
  }
  TraceSummary s;
  s.layer_pairs = 2;
  for (const TraceKernel& k : t.kernels) {
    s.kernel_classes[k.kernel_class] += k.dur_us / 1e3;
    ++s.class_launches[k.kernel_class];
  }
  // What summarize() makes of it, by hand: the median of the <= 32-block
  // kernels' durations, 3 (x16) and 900 (x4), is 3; attn(F) holds the 12
  // element-wise kernels.
  s.tiny_kernel_us = 3;
  s.elementwise_launches["attention(F)"] = 12;
  std::vector<ClassDemand> demand = {
      {"cast_fp8", ClassForm::kBandwidth, cast_bytes, 0, 4, 112},
      {"gemm_fp8", ClassForm::kScale, 0, 1000e-6, 2, 112},
      {"ep_notify", ClassForm::kLaunch, 0, 0, 2, 112},
      {"loss", ClassForm::kBandwidth, 1e9, 0, 1, 112},
  };
  const TraceFit fit = fit_trace(s, demand, {}, "synthetic");
  EXPECT_DOUBLE_EQ(fit.launch_us, 3);
  ASSERT_EQ(fit.classes.size(), 5u);  // four demanded, "misc" not modelled
  const ClassFit& cast = fit.classes[0];
  EXPECT_NEAR(cast.params.gb_per_s, 2000, 1e-6);
  EXPECT_DOUBLE_EQ(cast.params.launch_us, 3);
  EXPECT_EQ(cast.params.at_sms, 112);
  EXPECT_NEAR(fit.classes[1].params.time_scale, 1.25, 1e-12);
  EXPECT_NEAR(fit.classes[2].params.launch_us, 900, 1e-9);
  EXPECT_EQ(fit.classes[3].status, "not in the trace");
  EXPECT_EQ(fit.classes[4].cls, "misc");
  EXPECT_EQ(fit.classes[4].status, "not modelled");
  EXPECT_DOUBLE_EQ(fit.elementwise_launch_us, 3);
  EXPECT_EQ(fit.framework_launches.at("attention(F)"), 6);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(fit.classes[i].fitted_ms, fit.classes[i].measured_ms, 1e-9);

  Profile p;
  apply_trace_fit(fit, p, "synthetic");
  EXPECT_NEAR(p.kernel_class("gemm_fp8").time_scale, 1.25, 1e-12);
  EXPECT_EQ(p.kernel_class("loss").time_scale, 1);  // untouched: defaults
  EXPECT_EQ(p.framework_launches.at("attention(F)"), 6);
  // The profile's JSON form carries the fitted classes back.
  const Profile back = parse_profile(profile_to_json(Profile{[&] {
    Profile q = p;
    q.name = "x";
    q.description = "d";
    q.hardware = "h800";
    q.provenance = {{"gemm.compute_efficiency", {"s", ""}}, {"gemm.hbm_efficiency", {"s", ""}},
                    {"gemm.fixed_us", {"s", ""}}, {"gemm.k_block_ns", {"s", ""}},
                    {"attention_forward_efficiency", {"s", ""}}, {"attention_backward_efficiency", {"s", ""}},
                    {"memory_efficiency", {"s", ""}}};
    return q;
  }()}));
  EXPECT_NEAR(back.kernel_class("cast_fp8").gb_per_s, cast.params.gb_per_s, 1e-9);
  EXPECT_EQ(back.framework_launches.at("attention(F)"), 6);
}

}  // namespace
}  // namespace v3sim::calibration
