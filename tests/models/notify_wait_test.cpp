// DeepEP's notify priced from its mechanism: a launch, one round of small
// messages with the farthest member of the EP group, and the wait for the
// last member to arrive. The wait is the members' skew: in a hand-built
// plan, and simulated member by member (full fidelity) against the reduced
// replica's shortcut.
#include <gtest/gtest.h>

#include "models/scenario.hpp"
#include "models/training/chunk_pair.hpp"
#include "models/training/chunk_pair_summary.hpp"
#include "models/training/training_step.hpp"

namespace v3sim::models {
namespace {

constexpr sim::Time kUs = 1000;  // ns
constexpr sim::Time kMs = 1000 * kUs;

Segment compute(Component c, sim::Time t, sim::Time expert = 0) {
  Segment s;
  s.component = c;
  s.compute = t;
  s.expert = expert;
  return s;
}

Segment all_to_all(Component c, EpPhase phase) {
  Segment s;
  s.component = c;
  s.comm = true;
  s.phase = static_cast<int>(phase);
  s.phase_class = "ep_dispatch";
  s.notify = 10 * kUs;
  return s;
}

// One MoE layer by hand: attention 1 ms, routed experts 2 ms (4 ms in
// backward), every all-to-all 100 us alone after a 10 us notify launch, a
// 4 us round of messages, and the slowest member receiving 1.5x a typical
// member's tokens.
TEST(NotifyWait, TheWaitIsTheSlowestMembersExtraExpertWork) {
  BlockPlan b{BlockKind::kMoeLayer, {}, {}, {}};
  b.forward = {compute(Component::kAttention, kMs), all_to_all(Component::kDispatch, EpPhase::kToExpertsFp8),
               compute(Component::kMlp, 0, 2 * kMs), all_to_all(Component::kCombine, EpPhase::kFromExperts)};
  b.input = {all_to_all(Component::kCombine, EpPhase::kToExpertsFp8), compute(Component::kMlp, 0, 4 * kMs),
             all_to_all(Component::kDispatch, EpPhase::kFromExperts), compute(Component::kAttention, 2 * kMs)};
  StagePlan plan;
  plan.parts.push_back(PartPlan{{b}, 1, 0, {}, 0});
  StepNetwork net;
  net.phase_time = {100 * kUs, 100 * kUs, 100 * kUs};
  net.notify_round = 4 * kUs;
  net.slowest_expert_scale = 1.5;
  const StepGraphResult r =
      simulate_step_graph(chunk_pair_schedule(), plan, StepLayout{1, 64, 64, 1, Fidelity::kReduced}, net);
  // The lone forward F0 (op 0), worked by hand: attention 0-1 ms; dispatch
  // 1 ms + 10 + 4 + 100 us (nothing to wait for: no expert work yet); the
  // experts 1.114-3.114 ms; combine waits 0.5 x 2 ms for the slowest
  // member, so ends at 3.114 + 0.010 + 0.004 + 1.000 + 0.100 = 4.228 ms.
  std::vector<const ComponentRecord*> f0;
  for (const ComponentRecord& c : r.components)
    if (c.op == 0 && c.comm) f0.push_back(&c);
  ASSERT_EQ(f0.size(), 2u);
  EXPECT_EQ(f0[0]->component, Component::kDispatch);
  EXPECT_EQ(f0[0]->notify_wait, 4 * kUs);
  EXPECT_EQ(f0[0]->end, 1114 * kUs);
  EXPECT_EQ(f0[1]->component, Component::kCombine);
  EXPECT_EQ(f0[1]->notify_wait, 4 * kUs + kMs);
  EXPECT_EQ(f0[1]->end, 4228 * kUs);
  // Balanced members wait for nothing but the round.
  net.slowest_expert_scale = 1;
  const StepGraphResult even =
      simulate_step_graph(chunk_pair_schedule(), plan, StepLayout{1, 64, 64, 1, Fidelity::kReduced}, net);
  for (const ComponentRecord& c : even.components) {
    if (c.comm) {
      EXPECT_EQ(c.notify_wait, 4 * kUs);
    }
  }
}

// A small cluster whose every GPU and flow is simulated: with skewed
// expert popularity the notify's barrier makes the fast members wait, and
// the reduced replica's stated shortcut (the typical member beside the
// group's slowest one) lands near what the members produce.
TEST(NotifyWait, ReducedShortcutAgreesWithEveryMemberSimulated) {
  nlohmann::json doc = {
      {"cluster", {{"node", "h800"}, {"nodes", 2}, {"fabric", {{"kind", "multi_plane_fat_tree"}, {"planes", 8}}}}},
      {"model", "deepseek-v3"},
      {"model_overrides", {{"layers", 4}, {"dense_layers", 0}, {"mtp_depth", 0}}},
      {"parallelism", {{"pp", 1}, {"ep", 16}}},
      {"schedule", {{"kind", "chunk_pair"}}},
      {"training", {{"seq_len", 4096}, {"global_batch", 32}}},
      {"routing", {{"skew", 0.6}}}};
  const Scenario reduced = parse_scenario(doc);
  doc["fidelity"] = "full";
  const Scenario full = parse_scenario(doc);
  const TrainingResult a = simulate_training(*reduced.cluster, *reduced.training);
  const TrainingResult b = simulate_training(*full.cluster, *full.training);
  ASSERT_GT(a.slowest_expert_scale, 1.2);
  EXPECT_GT(a.notify_round, 0);
  EXPECT_EQ(a.notify_round, b.notify_round);
  // Replica 0 holds the most popular experts: it is the slowest member, so
  // it never waits beyond the round; the reduced replica is a typical
  // member and waits. Both pairs take the slowest member's time.
  EXPECT_NEAR(static_cast<double>(a.chunk_pair_time) / static_cast<double>(b.chunk_pair_time), 1.0, 0.05);
  sim::Time waited = 0;
  for (const ComponentRecord& c : a.components) waited += c.notify_wait > a.notify_round ? 1 : 0;
  EXPECT_GT(waited, 0);
  for (const ComponentRecord& c : b.components) {
    if (c.comm && c.phase >= 0) {
      EXPECT_LE(c.notify_wait, b.notify_round + 50 * kUs);
    }
  }
}

}  // namespace
}  // namespace v3sim::models
