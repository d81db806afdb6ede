// The shipped chunk-pair scenario under the shipped h800-published profile
// against the figures of DeepSeek's published trace of the real pair
// (calibration/reference/deepseek_v3_chunk_pair_trace.json) (in sample: the
// profile's kernel classes were fitted on this trace; the components, the
// streams' busy time and the span were not). The project's fidelity bounds:
// span within 5%, stream busy within 10%, every component within 15%, every
// kernel class above 0.3 ms per layer pair within 20%.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "cli/scenario_loader.hpp"
#include "cli/trace_input.hpp"

namespace v3sim::cli {
namespace {

TEST(CompareTrace, PublishedChunkPairWithinTheIssueBounds) {
  const std::string root = V3SIM_SOURCE_DIR;
  const models::Scenario s = load_training_scenario(root + "/scenarios/bench/chunk_pair_ep64.json", {}, true);
  TraceInput trace;
  trace.figures = calibration::deepseek_v3_chunk_pair_figures();
  const report::TraceComparison c = compare_with_trace(s, trace, "chunk_pair_ep64");
  int components = 0, classes = 0;
  for (const report::ComparedQuantity& q : c.quantities) {
    SCOPED_TRACE(q.group + " " + q.name);
    if (q.group == "pair" && q.name == "span") {
      EXPECT_LT(std::abs(q.relative_error()), 0.05);
    }
    if (q.group == "pair" && q.name.find("busy") != std::string::npos) {
      EXPECT_LT(std::abs(q.relative_error()), 0.10);
    }
    if (q.group == "pair" && q.name == "layer pairs") {
      EXPECT_EQ(q.simulated_ms, 4);
    }
    if (q.group == "component") {
      ++components;
      EXPECT_TRUE(q.measured_present && q.simulated_present);
      EXPECT_LT(std::abs(q.relative_error()), 0.15);
    }
    if (q.group == "kernel class" && q.measured_ms / 4 > 0.3) {
      ++classes;
      EXPECT_TRUE(q.simulated_present);
      EXPECT_LT(std::abs(q.relative_error()), 0.20);
    }
  }
  // DeepEP's notify: a launch, a round and the wait for the slowest member,
  // at the scenario's routing skew (fitted to this class: in sample).
  const auto notify = std::find_if(c.quantities.begin(), c.quantities.end(), [](const report::ComparedQuantity& q) {
    return q.group == "kernel class" && q.name == "ep_notify";
  });
  ASSERT_NE(notify, c.quantities.end());
  EXPECT_LT(std::abs(notify->relative_error()), 0.02);
  EXPECT_EQ(components, 10);  // attention, dispatch, MLP, combine in F and B; MLP and attention in W
  EXPECT_GE(classes, 15);
}

TEST(CompareTrace, NeedsAChunkPairScenario) {
  const std::string root = V3SIM_SOURCE_DIR;
  EXPECT_THROW(load_training_scenario(root + "/scenarios/deepseek_v3_pretrain_2048xh800.json", {}, true), InputFailure);
}

}  // namespace
}  // namespace v3sim::cli
