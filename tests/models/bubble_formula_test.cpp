// The published bubble formulas, reproduced by simulation over grids of
// stages (2..32), micro-batches and op times, with zero p2p latency. The
// expected values are computed from the closed forms here, not by the code
// under test.
#include <gtest/gtest.h>

#include "abstract_run.hpp"

namespace v3sim::models::testing {
namespace {

const int kStages[] = {2, 3, 4, 6, 8, 12, 16, 24, 32};

TEST(BubbleFormula, OneFOneBIsPPMinus1TimesFPlusBOnEveryRank) {
  for (int pp : kStages)
    for (int m : {pp, 2 * pp + 1, 4 * pp})
      for (auto [F, B] : {std::pair{1.0, 2.0}, {1.5, 1.0}, {0.7, 3.1}}) {
        const auto r = run_abstract(ScheduleKind::k1F1B, pp, m, F, B);
        for (const auto& rank : r.ranks) EXPECT_NEAR(ms(rank.bubble), (pp - 1) * (F + B), 1e-6) << pp << " " << m;
        EXPECT_NEAR(ms(r.step_time), (m + pp - 1) * (F + B), 1e-6);
      }
}

TEST(BubbleFormula, OneFOneBActivationPeakIsPPMinusROnRankR) {
  for (int pp : kStages) {
    const auto r = run_abstract(ScheduleKind::k1F1B, pp, 2 * pp, 1, 2);
    for (const auto& rank : r.ranks) {
      EXPECT_EQ(rank.peak_activations, pp - rank.rank);
      EXPECT_EQ(rank.parameter_copies, 1);
    }
  }
}

TEST(BubbleFormula, GPipeHoldsEveryMicrobatch) {
  const auto r = run_abstract(ScheduleKind::kGPipe, 4, 9, 1, 2);
  EXPECT_EQ(ms(r.step_time), (9 + 3) * 3);
  for (const auto& rank : r.ranks) EXPECT_EQ(rank.peak_activations, 9);
}

TEST(BubbleFormula, ZB1PIsPPMinus1TimesFPlusBMinus2WWhenWIsSmall) {
  // Regime: W <= F and W <= B - W.
  const std::tuple<double, double, double> times[] = {{1, 2, 1}, {2, 3, 1}, {1.5, 2.5, 1}, {3, 4, 2}, {1, 3, 1}};
  for (int pp : kStages)
    for (int m : {pp, 2 * pp, 3 * pp + 1})
      for (auto [F, B, W] : times) {
        const auto r = run_abstract(ScheduleKind::kZB1P, pp, m, F, B, W);
        for (const auto& rank : r.ranks)
          EXPECT_NEAR(ms(rank.bubble), (pp - 1) * (F + B - 2 * W), 1e-6) << pp << " " << m << " " << F << B << W;
      }
}

TEST(BubbleFormula, ZB1PKeepsOneFOneBsActivationPeak) {
  const auto r = run_abstract(ScheduleKind::kZB1P, 8, 24, 1, 2, 1);
  for (const auto& rank : r.ranks) EXPECT_EQ(rank.peak_activations, 8 - rank.rank);
}

TEST(BubbleFormula, ZB1POutsideTheRegimeExceedsTheFormula) {
  // W > F: the deferred weight gradients no longer fit the bubbles.
  const auto r = run_abstract(ScheduleKind::kZB1P, 8, 24, 1, 4, 2);
  EXPECT_GT(ms(r.max_bubble()), 7 * (1 + 4 - 2 * 2) + 1e-6);
}

TEST(BubbleFormula, InterleavedIsPPMinus1TimesFPlusBOverV) {
  for (int pp : {2, 4, 8, 16, 32})
    for (int v : {2, 3, 4})
      for (int m : {pp, 2 * pp, 3 * pp})
        for (auto [F, B] : {std::pair{1.0, 2.0}, {3.0, 6.0}}) {
          const auto r = run_abstract(ScheduleKind::kInterleaved1F1B, pp, m, F, B, {}, {}, v);
          // Chunk op times are F/v and B/v rounded to the nanosecond.
          for (const auto& rank : r.ranks)
            EXPECT_NEAR(ms(rank.bubble), (pp - 1) * (F + B) / v, 1e-4) << pp << " " << v << " " << m;
        }
}

TEST(BubbleFormula, DualPipeMaxBubbleIsHalfPPMinus1TimesFBPlusBMinus3W) {
  // Regime: B - W = F, W <= F and B <= F&B <= F + B; independent of the
  // number of micro-batches.
  const std::tuple<double, double, double> times[] = {// F, W, F&B
                                                      {1, 1, 2}, {1, 1, 3}, {2, 1, 3}, {2, 1, 5}, {3, 2, 6}, {4, 3, 9}};
  for (int pp = 2; pp <= 32; pp += 2)
    for (int m : {2 * pp, 2 * pp + 2, 4 * pp})
      for (auto [F, W, FB] : times) {
        const double B = F + W;
        const auto r = run_abstract(ScheduleKind::kDualPipe, pp, m, F, B, W, FB);
        EXPECT_NEAR(ms(r.max_bubble()), (pp / 2 - 1) * (FB + B - 3 * W), 1e-6) << pp << " " << m;
        for (const auto& rank : r.ranks) {
          EXPECT_EQ(rank.peak_activations, pp + 1) << pp << " " << m << " rank " << rank.rank;
          EXPECT_EQ(rank.parameter_copies, 2);
        }
      }
}

TEST(BubbleFormula, DualPipeVMatchesDualPipeOnHalfTheRanks) {
  const std::tuple<double, double, double> times[] = {{1, 1, 2}, {2, 1, 3}, {3, 2, 6}};
  for (int stages = 4; stages <= 32; stages += 4)
    for (int m : {stages, stages + 2, 2 * stages})
      for (auto [F, W, FB] : times) {
        const double B = F + W;
        const auto r = run_abstract(ScheduleKind::kDualPipeV, stages, m, F, B, W, FB);
        ASSERT_EQ(static_cast<int>(r.ranks.size()), stages / 2);
        EXPECT_NEAR(ms(r.max_bubble()), (stages / 2 - 1) * (FB + B - 3 * W), 1e-6) << stages << " " << m;
        for (const auto& rank : r.ranks) {
          EXPECT_EQ(rank.peak_activations, stages + 1);
          EXPECT_EQ(rank.parameter_copies, 2);
        }
      }
}

TEST(BubbleFormula, DualPipeWithSlowWeightGradientsMissesTheFormula) {
  // W > F lies outside the regime: the measured bubble is not the formula's.
  const auto r = run_abstract(ScheduleKind::kDualPipe, 8, 20, 1, 3, 2, 3);
  EXPECT_NE(ms(r.max_bubble()), 3 * (3 + 3 - 6));
}

TEST(BubbleFormula, ZBH2HoldsTwoPPMinus1AndReachesThePublishedBubbleInItsRegime) {
  // Regime: W <= F and TB = B - W >= 2W; one step also pays the (PP-1)F ramp
  // that consecutive steps would overlap, which this regime already exceeds.
  const std::tuple<double, double, double> times[] = {{1, 3, 1}, {2, 4, 1}, {2, 3, 0.5}};
  for (int pp : {2, 4, 8, 16})
    for (int m : {2 * pp, 3 * pp})
      for (auto [F, B, W] : times) {
        const auto r = run_abstract(ScheduleKind::kZBH2, pp, m, F, B, W);
        for (const auto& rank : r.ranks) {
          EXPECT_NEAR(ms(rank.bubble), (pp - 1) * (F + B - 3 * W), 1e-6) << pp << " " << m;
          EXPECT_EQ(rank.peak_activations, 2 * (pp - rank.rank) - 1);
        }
      }
}

}  // namespace
}  // namespace v3sim::models::testing
