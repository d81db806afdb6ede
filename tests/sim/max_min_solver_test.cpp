// Textbook max-min fair shares (Bertsekas and Gallager, Data Networks 6.5.2).
#include "sim/max_min_solver.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace v3sim::sim {
namespace {

TEST(MaxMinSolver, EqualFlowsOnOneLinkSplitIt) {
  for (int k : {1, 2, 3, 7, 64}) {
    MaxMinSolver s;
    const auto l = s.add_link(12.0);
    std::vector<MaxMinSolver::FlowId> f;
    for (int i = 0; i < k; ++i) f.push_back(s.add_flow({l}));
    s.solve();
    for (auto id : f) EXPECT_DOUBLE_EQ(s.rate(id), 12.0 / k);
    EXPECT_NEAR(s.load(l), 12.0, 1e-12);
  }
}

// Parking lot: n links of capacity 1 in a row, one long flow over all of
// them and one short flow on each: every link carries two flows, all get 1/2.
TEST(MaxMinSolver, ParkingLot) {
  MaxMinSolver s;
  std::vector<MaxMinSolver::LinkId> chain;
  for (int i = 0; i < 5; ++i) chain.push_back(s.add_link(1.0));
  const auto longest = s.add_flow(chain);
  std::vector<MaxMinSolver::FlowId> shorts;
  for (auto l : chain) shorts.push_back(s.add_flow({l}));
  s.solve();
  EXPECT_DOUBLE_EQ(s.rate(longest), 0.5);
  for (auto f : shorts) EXPECT_DOUBLE_EQ(s.rate(f), 0.5);
}

// Two bottlenecks: link A (capacity 1) carries flows 1 and 4; link B
// (capacity 10) carries flows 1, 2 and 3. A saturates first at 1/2 each;
// B's remaining 9.5 goes to flows 2 and 3, 4.75 each.
TEST(MaxMinSolver, TwoBottlenecks) {
  MaxMinSolver s;
  const auto a = s.add_link(1.0), b = s.add_link(10.0);
  const auto f1 = s.add_flow({a, b}), f2 = s.add_flow({b}), f3 = s.add_flow({b}), f4 = s.add_flow({a});
  s.solve();
  EXPECT_DOUBLE_EQ(s.rate(f1), 0.5);
  EXPECT_DOUBLE_EQ(s.rate(f4), 0.5);
  EXPECT_DOUBLE_EQ(s.rate(f2), 4.75);
  EXPECT_DOUBLE_EQ(s.rate(f3), 4.75);
}

TEST(MaxMinSolver, RateCapLeavesTheRestToOthers) {
  MaxMinSolver s;
  const auto l = s.add_link(1.0);
  const auto capped = s.add_flow({l}, 0.2), free = s.add_flow({l});
  s.solve();
  EXPECT_DOUBLE_EQ(s.rate(capped), 0.2);
  EXPECT_DOUBLE_EQ(s.rate(free), 0.8);
}

TEST(MaxMinSolver, RemovalFreesBandwidthForTheOthers) {
  MaxMinSolver s;
  const auto l = s.add_link(9.0);
  const auto a = s.add_flow({l}), b = s.add_flow({l}), c = s.add_flow({l});
  s.solve();
  s.remove_flow(b);
  s.solve();
  EXPECT_DOUBLE_EQ(s.rate(a), 4.5);
  EXPECT_DOUBLE_EQ(s.rate(c), 4.5);
  EXPECT_FALSE(s.active(b));
}

TEST(MaxMinSolver, OnlyTheTouchedComponentIsRecomputed) {
  MaxMinSolver s;
  const auto l1 = s.add_link(1.0), l2 = s.add_link(1.0);
  const auto a = s.add_flow({l1}), b = s.add_flow({l2}), c = s.add_flow({l2});
  EXPECT_EQ(s.solve().size(), 3u);
  s.remove_flow(b);
  const auto touched = s.solve();
  EXPECT_EQ(touched, std::vector<MaxMinSolver::FlowId>{c});
  EXPECT_DOUBLE_EQ(s.rate(a), 1.0);
  EXPECT_DOUBLE_EQ(s.rate(c), 1.0);
  EXPECT_FALSE(s.dirty());
}

}  // namespace
}  // namespace v3sim::sim
