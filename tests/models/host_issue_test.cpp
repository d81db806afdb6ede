// The host issues every kernel: a GPU kernel cannot start before the CPU
// thread has issued it, the thread issues in program order, and where the
// framework copies a value to the host (Megatron's token counts before the
// forward all-to-all) the thread first waits for the GPU. Hand-built plans
// worked by hand; the profile's per-launch cost from a profiler trace is
// tested with the trace reader (tests/calibration/profiler_trace_test.cpp).
#include <gtest/gtest.h>

#include "calibration/profile.hpp"
#include "models/scenario.hpp"
#include "models/schedule/schedule.hpp"
#include "models/training/stage_plan.hpp"
#include "models/training/step_graph.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

constexpr sim::Time kUs = 1000;  // ns
constexpr sim::Time kMs = 1000 * kUs;

Segment compute(sim::Time gpu, sim::Time host) {
  Segment s;
  s.compute = gpu;
  s.host = host;
  return s;
}

// One rank, one micro-batch: its forward, then its backward.
Schedule forward_then_backward() {
  ScheduleSpec spec;
  spec.kind = ScheduleKind::k1F1B;
  spec.stages = 1;
  spec.microbatches = 1;
  return make_schedule(spec);
}

StepGraphResult simulate(const BlockPlan& b, const StepNetwork& net = {}) {
  StagePlan plan;
  plan.host_issue = true;
  plan.parts.push_back(PartPlan{{b}, 1, 0, {}, 0});
  return simulate_step_graph(forward_then_backward(), plan, StepLayout{}, net);
}

// Host-light: the GPU waits for the first issue only. Host 0-3, 3-3.5,
// 3.5-4.5 ms; GPU 3-4, 4-5, 5-7 ms.
TEST(HostIssue, TheGpuWaitsOnlyForTheFirstIssueWhenTheHostKeepsAhead) {
  BlockPlan b{BlockKind::kMoeLayer, {}, {}, {}};
  b.forward = {compute(kMs, 3 * kMs), compute(kMs, kMs / 2)};
  b.input = {compute(2 * kMs, kMs)};
  const StepGraphResult r = simulate(b);
  EXPECT_EQ(r.pipeline.step_time, 7 * kMs);
  EXPECT_EQ(r.ranks[0].host_wait, 3 * kMs);
  EXPECT_EQ(r.ranks[0].compute, 4 * kMs);
}

// Host-bound: every kernel waits for its issue. Host ends 3, 6, 9 ms; each
// 1 ms kernel starts there: the step is the host's 9 ms plus the last
// kernel, and the GPU waited 3 + 2 + 2 ms.
TEST(HostIssue, AHostBoundStepIsTheHostsTimePlusTheLastKernel) {
  BlockPlan b{BlockKind::kMoeLayer, {}, {}, {}};
  b.forward = {compute(kMs, 3 * kMs), compute(kMs, 3 * kMs)};
  b.input = {compute(kMs, 3 * kMs)};
  const StepGraphResult r = simulate(b);
  EXPECT_EQ(r.pipeline.step_time, 10 * kMs);
  EXPECT_EQ(r.ranks[0].host_wait, 7 * kMs);
}

// A synchronisation before the all-to-all: the host waits for the 2 ms
// kernel before it (issued 0-0.1), issues the all-to-all 2.1-2.2 (it runs
// 2.2-2.3) and the next kernel 2.2-2.7 (it runs 2.7-3.7). Without the
// synchronisation the host is far ahead and the step ends at 3.2 ms.
TEST(HostIssue, ASynchronisationExposesTheIssueAfterIt) {
  Segment a2a;
  a2a.component = Component::kDispatch;
  a2a.comm = true;
  a2a.phase = static_cast<int>(EpPhase::kToExpertsBf16);
  a2a.host = kMs / 10;
  a2a.host_sync = true;
  BlockPlan b{BlockKind::kMoeLayer, {}, {}, {}};
  b.forward = {compute(2 * kMs, kMs / 10), a2a, compute(kMs, kMs / 2)};
  b.forward[2].component = Component::kMlp;
  b.input = {compute(kMs, 0)};
  b.input[0].component = Component::kMlp;
  StepNetwork net;
  net.phase_time = {100 * kUs, 100 * kUs, 100 * kUs};
  const StepGraphResult synced = simulate(b, net);
  EXPECT_EQ(synced.pipeline.step_time, 4700 * kUs);
  EXPECT_EQ(synced.ranks[0].host_wait, 100 * kUs + 100 * kUs + 400 * kUs);  // first issue, all-to-all, next kernel
  b.forward[1].host_sync = false;
  const StepGraphResult ahead = simulate(b, net);
  EXPECT_EQ(ahead.pipeline.step_time, 4200 * kUs);
  EXPECT_EQ(ahead.ranks[0].host_wait, 100 * kUs);
}

// Without a host cost in the plan the host is not simulated at all.
TEST(HostIssue, NoHostCostNoHostWait) {
  BlockPlan b{BlockKind::kMoeLayer, {}, {}, {}};
  b.forward = {compute(kMs, 0), compute(kMs, 0)};
  b.input = {compute(2 * kMs, 0)};
  const StepGraphResult r = simulate(b);
  EXPECT_EQ(r.pipeline.step_time, 4 * kMs);
  EXPECT_EQ(r.ranks[0].host_wait, 0);
}

}  // namespace
}  // namespace v3sim::models

namespace v3sim::models {
namespace {

// Qwen3-30B-A3B at EP8 on one H800 node, 1F1B, one pipeline stage.
nlohmann::json qwen_ep8(const std::string& framework) {
  return {{"name", "host"},
          {"cluster", {{"node", "h800"}, {"nodes", 1}, {"fabric", {{"kind", "rail_optimized"}, {"switch_ports", 64}}}}},
          {"model", "qwen3-30b-a3b"},
          {"parallelism", {{"pp", 1}, {"ep", 8}}},
          {"schedule", {{"kind", "1f1b"}}},
          {"training", {{"seq_len", 4096}, {"global_batch", 8}, {"framework", framework}}}};
}

// Qwen3-30B-A3B at EP8 (16 local experts) on one H800 node under the two
// frameworks: Megatron's Transformer Engine issues the routed experts'
// gate/up and down GEMMs one per local expert (15 more kernels each than
// DeepGEMM's grouped kernel) in the forward and in the input gradients, its
// tokens travel in BF16 (no cast before the gradients' dispatch), and it
// synchronises the host before the forward dispatch only.
TEST(HostIssue, MegatronIssuesAGemmPerLocalExpertAndSyncsBeforeTheForwardDispatch) {
  auto plan_for = [](const char* framework) {
    const Scenario s = parse_scenario(qwen_ep8(framework));
    return plan_stages(*s.training, s.cluster->gpu, 1, false);
  };
  const StagePlan deepseek = plan_for("deepseek"), megatron = plan_for("megatron");
  const BlockPlan& d = deepseek.parts[0].blocks[0];
  const BlockPlan& m = megatron.parts[0].blocks[0];
  auto host = [](const std::vector<Segment>& list) {
    sim::Time t = 0;
    for (const Segment& s : list) t += s.host;
    return t;
  };
  const calibration::Profile& p = calibration::named_profile("h800-published", "");
  ASSERT_GT(p.host_forward_us_per_launch, 0);
  // Gate/up and down, 16 kernels each instead of 1; forward, the cast moves
  // from before the dispatch to the experts (one each); backward, the
  // gradients leave for the experts in BF16, without their cast.
  // Tolerance: each segment's host time is rounded to the nanosecond.
  const double extra = 2 * 15, ns = 1e-9 * 30;
  EXPECT_NEAR(sim::to_seconds(host(m.forward) - host(d.forward)), extra * p.host_forward_us_per_launch * 1e-6, ns);
  EXPECT_NEAR(sim::to_seconds(host(m.input) - host(d.input)), (extra - 1) * p.host_backward_us_per_launch * 1e-6, ns);
  EXPECT_EQ(host(m.weight), host(d.weight));  // the weight gradients run per expert in both
  int synced = 0;
  for (const auto* list : {&m.forward, &m.input, &m.weight})
    for (const Segment& s : *list) synced += s.host_sync;
  ASSERT_EQ(synced, 1);
  for (const Segment& s : m.forward) {
    if (s.host_sync) {
      EXPECT_EQ(s.component, Component::kDispatch);
    }
  }
  for (const auto* list : {&d.forward, &d.input, &d.weight}) {
    for (const Segment& s : *list) {
      EXPECT_FALSE(s.host_sync);
    }
  }
}

// The framework and the TP overlap are named fields: a bad value names its pointer.
TEST(HostIssue, BadFrameworkOrOverlapNamesItsPointer) {
  const nlohmann::json base = qwen_ep8("megatron");
  auto pointer_of = [](const nlohmann::json& doc) {
    try {
      parse_scenario(doc);
    } catch (const sim::InputError& e) {
      return e.pointer();
    }
    return std::string("no error");
  };
  nlohmann::json bad = base;
  bad["training"]["framework"] = "megatron-lm";
  EXPECT_EQ(pointer_of(bad), "/training/framework");
  bad = base;
  bad["parallelism"]["tp_comm_overlap"] = "yes";
  EXPECT_EQ(pointer_of(bad), "/parallelism/tp_comm_overlap");
  EXPECT_EQ(pointer_of(base), "no error");
}

}  // namespace
}  // namespace v3sim::models
