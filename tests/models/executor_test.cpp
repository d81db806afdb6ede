#include "models/pipeline/executor.hpp"

#include <gtest/gtest.h>

#include "abstract_run.hpp"
#include "sim/engine.hpp"

namespace v3sim::models::testing {
namespace {

// 1F1B, 2 ranks, 2 micro-batches, F = 1, B = 2, p2p latency 0.5, by hand:
// rank0 F0 [0,1] F1 [1,2]; rank1 F0 [1.5,2.5] B0 [2.5,4.5] F1 [4.5,5.5]
// B1 [5.5,7.5]; rank0 B0 [5,7] B1 [8,10]. Step 10 = m(F+B) + (p-1)(F+B+2L).
TEST(Executor, PointToPointLatencyByHand) {
  const auto r = run_abstract(ScheduleKind::k1F1B, 2, 2, 1, 2, {}, {}, 1, 0.5);
  EXPECT_EQ(ms(r.step_time), 10);
  const auto& r1 = r.ranks[1].ops;
  EXPECT_EQ(ms(r1[0].start), 1.5);  // F0 after rank0's F0 and one latency
  EXPECT_EQ(ms(r1[2].start), 4.5);  // F1 waits for rank1's stream
  const auto& r0 = r.ranks[0].ops;
  EXPECT_EQ(ms(r0[2].start), 5);    // B0: gradient sent at 4.5, arrives 5
  EXPECT_EQ(ms(r0[3].start), 8);
  EXPECT_EQ(r.ranks[0].sends.size(), 2u);  // activations of F0, F1
  EXPECT_EQ(r.ranks[1].sends.size(), 2u);  // gradients of B0, B1
  EXPECT_TRUE(r.ranks[1].sends[0].gradient);
  EXPECT_EQ(ms(r.ranks[1].sends[0].end - r.ranks[1].sends[0].start), 0.5);
}

// GPipe with latency L: forwards reach the last rank (p-1)(F+L) late, the
// backwards return (p-1)(B+L) later, so the step is (m+p-1)(F+B) + 2(p-1)L.
TEST(Executor, GPipeStepGrowsByTwoLatenciesPerHop) {
  for (int pp : {2, 4, 8})
    for (double lat : {0.05, 0.2}) {
      const int m = 3 * pp;
      const auto r = run_abstract(ScheduleKind::kGPipe, pp, m, 1, 2, {}, {}, 1, lat);
      EXPECT_NEAR(ms(r.step_time), (m + pp - 1) * 3 + 2 * (pp - 1) * lat, 1e-6) << pp << " " << lat;
    }
}

Schedule two_rank_schedule() {
  ScheduleSpec spec{ScheduleKind::k1F1B, 2, 1, 1, {}, 0};
  return make_schedule(spec);
}

OpDuration unit() {
  return [](const Op&) { return sim::from_ms(1); };
}

TEST(Executor, AProgramThatWaitsOnItselfIsADeadlockNamingTheOps) {
  Schedule s = two_rank_schedule();  // rank0: F0 B0, rank1: F0 B0
  std::swap(s.programs[0][0], s.programs[0][1]);  // rank0: B0 F0
  try {
    execute(s, unit(), {});
    FAIL() << "expected a deadlock";
  } catch (const sim::DeadlockError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("rank0 B0 waits for rank0 F0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("rank1 F0 waits for rank0 F0"), std::string::npos) << msg;
  }
}

TEST(Executor, MalformedProgramsAreRejected) {
  Schedule missing = two_rank_schedule();
  missing.programs[0].pop_back();  // rank0 never runs B0
  EXPECT_THROW(execute(missing, unit(), {}), std::logic_error);

  Schedule twice = two_rank_schedule();
  twice.programs[1].push_back(twice.programs[1][0]);
  EXPECT_THROW(execute(twice, unit(), {}), std::logic_error);

  Schedule orphan_w = two_rank_schedule();
  orphan_w.programs[1].push_back(make_op(OpKind::kW, {0, 1, 0}));  // W after a full B
  EXPECT_THROW(execute(orphan_w, unit(), {}), std::logic_error);
}

TEST(Executor, DualPipeRankBusyIsEveryChunkOnceWhenPairsGainNothing) {
  // With F&B = F + B each of a rank's 2 x 18/2 chunks costs F + B once,
  // whether run as F, B, I + W or inside a pair.
  const auto r = run_abstract(ScheduleKind::kDualPipe, 6, 18, 1.3, 2.1, 0.8, 3.4, 1, 0.01);
  for (const auto& rank : r.ranks) EXPECT_NEAR(ms(rank.busy), 18 * (1.3 + 2.1), 1e-6);
}

TEST(Executor, SameScenarioSameTimeline) {
  const auto a = run_abstract(ScheduleKind::kDualPipe, 8, 20, 1, 2, 1, 2, 1, 0.01);
  const auto b = run_abstract(ScheduleKind::kDualPipe, 8, 20, 1, 2, 1, 2, 1, 0.01);
  ASSERT_EQ(a.ranks.size(), b.ranks.size());
  for (std::size_t i = 0; i < a.ranks.size(); ++i)
    for (std::size_t k = 0; k < a.ranks[i].ops.size(); ++k) {
      EXPECT_EQ(a.ranks[i].ops[k].start, b.ranks[i].ops[k].start);
      EXPECT_EQ(a.ranks[i].ops[k].end, b.ranks[i].ops[k].end);
    }
}

}  // namespace
}  // namespace v3sim::models::testing
