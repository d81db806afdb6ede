// The worked example of the reference data (DeepSeek-V3 report Table 2 and
// the DualPipe README): PP = 8, 20 micro-batches, F = 1, B = 2, W = 1.
#include <gtest/gtest.h>

#include "abstract_run.hpp"

namespace v3sim::models::testing {
namespace {

std::vector<double> bubbles(const PipelineResult& r) {
  std::vector<double> out;
  for (const auto& rank : r.ranks) out.push_back(ms(rank.bubble));
  return out;
}

TEST(WorkedExample, OneFOneBTakes81With21IdlePerRank) {
  const auto r = run_abstract(ScheduleKind::k1F1B, 8, 20, 1, 2);
  EXPECT_EQ(ms(r.step_time), 81);
  EXPECT_EQ(bubbles(r), std::vector<double>(8, 21));
}

TEST(WorkedExample, ZB1PTakes67With7IdlePerRank) {
  const auto r = run_abstract(ScheduleKind::kZB1P, 8, 20, 1, 2, 1);
  EXPECT_EQ(ms(r.step_time), 67);
  EXPECT_EQ(bubbles(r), std::vector<double>(8, 7));
}

TEST(WorkedExample, DualPipeWithPairCost3Takes66With6IdlePerRank) {
  const auto r = run_abstract(ScheduleKind::kDualPipe, 8, 20, 1, 2, 1, 3);
  EXPECT_EQ(ms(r.step_time), 66);
  EXPECT_EQ(bubbles(r), std::vector<double>(8, 6));
}

TEST(WorkedExample, DualPipeWithPairCost2Takes52WithIdle12333321) {
  const auto r = run_abstract(ScheduleKind::kDualPipe, 8, 20, 1, 2, 1, 2);
  EXPECT_EQ(ms(r.step_time), 52);
  EXPECT_EQ(bubbles(r), (std::vector<double>{1, 2, 3, 3, 3, 3, 2, 1}));
}

}  // namespace
}  // namespace v3sim::models::testing
