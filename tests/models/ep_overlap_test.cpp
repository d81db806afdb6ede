// Megatron-Core's all-to-all overlap across micro-batches: in 1F1B's steady
// state a forward and the next backward run as one overlapped pair, after
// one more warm-up forward. Programs and a two-stage step worked by hand.
#include <gtest/gtest.h>

#include "models/pipeline/abstract_costs.hpp"
#include "models/pipeline/executor.hpp"
#include "models/schedule/ep_overlap.hpp"
#include "models/schedule/notation.hpp"
#include "models/scenario.hpp"
#include "models/training/training_step.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

Schedule overlapped(ScheduleKind kind, int stages, int microbatches, int chunks = 1) {
  ScheduleSpec spec{kind, stages, microbatches, chunks, {}, 0};
  return with_ep_overlap(make_schedule(spec));
}

// p = 2, m = 4: 1F1B's rank 0 warms up with one forward, rank 1 with none;
// with the overlap each warms up with one more, then pairs forward k + w + 1
// with backward k.
TEST(EpOverlap, OneFOneBTwoRanksFourMicrobatches) {
  const Schedule s = overlapped(ScheduleKind::k1F1B, 2, 4);
  EXPECT_EQ(format_program(s, 0), "rank0: F0 F1 [F2&B0] [F3&B1] B2 B3");
  EXPECT_EQ(format_program(s, 1), "rank1: F0 [F1&B0] [F2&B1] [F3&B2] B3");
}

// The same step on op times F 1, B 2, a pair 2 ms, no transfer latency.
// Rank 0: F0 0-1, F1 1-2. Rank 1: F0 1-2; [F1&B0] needs F1 (2) and its own F0:
// 2-4. Rank 0: [F2&B0] waits for B0 from rank 1: 4-6. Rank 1: [F2&B1] waits
// for F2: 6-8. Rank 0: [F3&B1] 8-10. Rank 1: [F3&B2] 10-12, B3 12-14.
// Rank 0: B2 12-14, B3 14-16. A pair's backward leaves when the pair ends,
// so the backward chain waits on its forward partner: 16 ms against 1F1B's
// (m + p - 1)(F + B) = 15 ms on these times.
TEST(EpOverlap, TwoStageStepByHand) {
  OpCostsMs costs;
  costs.F = 1;
  costs.B = 2;
  costs.FB = 2;
  const PipelineResult r = execute(overlapped(ScheduleKind::k1F1B, 2, 4), abstract_durations(costs, 1), {});
  EXPECT_DOUBLE_EQ(sim::to_ms(r.step_time), 16);
  const PipelineResult plain =
      execute(make_schedule({ScheduleKind::k1F1B, 2, 4, 1, {}, 0}), abstract_durations(costs, 1), {});
  EXPECT_DOUBLE_EQ(sim::to_ms(plain.step_time), 15);
}

TEST(EpOverlap, InterleavedKeepsEveryOpOnce) {
  const Schedule plain = make_schedule({ScheduleKind::kInterleaved1F1B, 4, 8, 2, {}, 0});
  const Schedule s = overlapped(ScheduleKind::kInterleaved1F1B, 4, 8, 2);
  for (int r = 0; r < 4; ++r) {
    int f = 0, b = 0, pairs = 0;
    for (const Op& op : s.programs[static_cast<std::size_t>(r)]) {
      f += op.kind == OpKind::kF || op.kind == OpKind::kFB;
      b += op.kind == OpKind::kB || op.kind == OpKind::kFB;
      pairs += op.kind == OpKind::kFB;
    }
    EXPECT_EQ(f, 16);
    EXPECT_EQ(b, 16);
    EXPECT_GT(pairs, 0);
  }
  EXPECT_THROW(with_ep_overlap(make_schedule({ScheduleKind::kDualPipe, 4, 8, 1, {}, 0})), std::invalid_argument);
}

// On a training step the pairs hide the all-to-alls: Qwen3-30B-A3B's 1F1B on
// two nodes exposes less communication with the overlap, and the scenario
// field refuses schedules it does not apply to.
TEST(EpOverlap, HidesAllToAllsInATrainingStep) {
  nlohmann::json doc = {
      {"cluster", {{"node", "h800"}, {"nodes", 2}, {"fabric", {{"kind", "multi_plane_fat_tree"}, {"planes", 8}}}}},
      {"model", "qwen3-30b-a3b"},
      {"model_overrides", {{"layers", 8}}},
      {"parallelism", {{"pp", 2}, {"ep", 8}}},
      {"schedule", {{"kind", "1f1b"}}},
      {"training", {{"seq_len", 4096}, {"global_batch", 64}}}};
  const Scenario plain = parse_scenario(doc);
  doc["schedule"]["ep_overlap"] = true;
  const Scenario over = parse_scenario(doc);
  const TrainingResult a = simulate_training(*plain.cluster, *plain.training);
  const TrainingResult b = simulate_training(*over.cluster, *over.training);
  EXPECT_LT(b.ranks[1].exposed_comm, a.ranks[1].exposed_comm);
  doc["schedule"]["kind"] = "dualpipe";
  try {
    parse_scenario(doc);
    ADD_FAILURE() << "dualpipe with ep_overlap accepted";
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/schedule/ep_overlap");
  }
}

}  // namespace
}  // namespace v3sim::models
