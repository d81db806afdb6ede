// calibrate --trace's pipeline end to end on a synthetic trace file: the
// test writes a Kineto trace whose kernels were timed from known class
// parameters over the chunk-pair scenario's own kernel demand, reads it
// back through the trace reader, and checks that the fit recovers every
// parameter.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "calibration/trace_fit.hpp"
#include "calibration/trace_figures.hpp"
#include "cli/trace_input.hpp"
#include "models/training/kernel_demand.hpp"
#include "models/training/training_step.hpp"

namespace v3sim::cli {
namespace {

constexpr double kLaunchUs = 4;  // the tiny kernels' duration: the common launch time
constexpr int kPairs = 2;

// Known parameters, different per class so a mix-up shows.
double known_bandwidth(std::size_t i) { return 1000 + 100 * static_cast<double>(i); }  // GB/s
double known_scale(std::size_t i) { return 1.1 + 0.05 * static_cast<double>(i); }
double known_launch(std::size_t i) { return 5 + static_cast<double>(i); }  // us

TEST(TraceCalibrate, RecoversKnownParametersFromAWrittenTrace) {
  const std::string root = V3SIM_SOURCE_DIR;
  models::Scenario s = load_training_scenario(root + "/scenarios/bench/chunk_pair_ep64.json", {}, true);
  s.training->profile.kernel_classes.clear();
  s.training->profile.framework_launches.clear();
  const models::TrainingResult base = models::simulate_training(*s.cluster, *s.training);
  const models::LayerDemand demand = models::layer_pair_demand(*s.training, s.cluster->gpu, base.phase_time);
  // A real kernel name of every class, so the file classifies as real traces do.
  std::map<std::string, std::string> name_of;
  for (const auto& [cls, name] : calibration::deepseek_v3_chunk_pair_figures().summary.class_examples)
    name_of.emplace(cls, name);

  nlohmann::json events = nlohmann::json::array();
  double t = 0;
  long long corr = 1;
  auto kernel = [&](const std::string& name, int stream, double dur, int blocks) {
    events.push_back({{"ph", "X"}, {"cat", "cuda_runtime"}, {"name", "cudaLaunchKernel"}, {"pid", 10}, {"tid", 10},
                      {"ts", t}, {"dur", 1}, {"args", {{"correlation", corr}}}});
    events.push_back({{"ph", "X"}, {"cat", "kernel"}, {"name", name}, {"pid", 0}, {"tid", stream}, {"ts", t + 1},
                      {"dur", dur}, {"args", {{"correlation", corr}, {"stream", stream}, {"device", 0},
                                              {"grid", {blocks, 1, 1}}}}});
    ++corr;
    t += dur + 2;
  };
  for (int pair = 0; pair < kPairs; ++pair) {
    const double start = t;
    for (std::size_t i = 0; i < demand.classes.size(); ++i) {
      const calibration::ClassDemand& d = demand.classes[i];
      ASSERT_TRUE(name_of.count(d.cls)) << d.cls;
      double total_us = 0;
      switch (d.form) {
        case calibration::ClassForm::kBandwidth:
          total_us = d.launches * kLaunchUs + d.bytes / (known_bandwidth(i) * 1e9) * 1e6;
          break;
        case calibration::ClassForm::kScale: total_us = d.model_seconds * known_scale(i) * 1e6; break;
        case calibration::ClassForm::kLaunch:
        case calibration::ClassForm::kMechanism: total_us = d.launches * known_launch(i); break;
      }
      const int n = static_cast<int>(d.launches);
      ASSERT_GE(n, 1) << d.cls;
      const bool comm = d.cls.rfind("ep_", 0) == 0;
      for (int k = 0; k < n; ++k) kernel(name_of.at(d.cls), comm ? 27 : 7, total_us / n, 4096);
    }
    for (int k = 0; k < 9; ++k) kernel(name_of.at("elementwise"), 7, kLaunchUs, 1);  // tiny
    events.push_back({{"ph", "X"}, {"cat", "user_annotation"}, {"name", "attn(F)"}, {"pid", 10}, {"tid", 10},
                      {"ts", start - 0.5}, {"dur", t - start + 1}});
  }
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("v3sim_synthetic_trace_" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << nlohmann::json{{"traceEvents", events}}.dump();
  const calibration::ProfilerTrace trace = load_trace(file.string());
  std::filesystem::remove(file);

  const calibration::TraceSummary summary = calibration::summarize(trace);
  ASSERT_EQ(summary.layer_pairs, kPairs);
  const calibration::TraceFit fit = calibration::fit_trace(summary, demand.classes, demand.base_ms, "test");
  EXPECT_NEAR(fit.launch_us, kLaunchUs, 1e-9);
  for (std::size_t i = 0; i < demand.classes.size(); ++i) {
    const calibration::ClassFit& c = fit.classes[i];
    SCOPED_TRACE(c.cls);
    ASSERT_EQ(c.status, c.form == calibration::ClassForm::kMechanism ? "mechanism" : "fitted");
    switch (c.form) {
      case calibration::ClassForm::kBandwidth:
        EXPECT_NEAR(c.params.gb_per_s / known_bandwidth(i), 1, 1e-6);
        break;
      case calibration::ClassForm::kScale: EXPECT_NEAR(c.params.time_scale / known_scale(i), 1, 1e-6); break;
      case calibration::ClassForm::kLaunch: EXPECT_NEAR(c.params.launch_us / known_launch(i), 1, 1e-6); break;
      // DeepEP's notify is not fitted: whatever the trace's time, one launch.
      case calibration::ClassForm::kMechanism: EXPECT_NEAR(c.params.launch_us, kLaunchUs, 1e-9); break;
    }
  }
  EXPECT_EQ(fit.framework_launches.at("attention(F)"), 9);
}

}  // namespace
}  // namespace v3sim::cli
