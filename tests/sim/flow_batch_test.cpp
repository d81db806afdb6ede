// A batch of flows starting together: hand-worked cases, and the engine's
// ends on random batches (the batch is the engine without a task graph).
#include <gtest/gtest.h>

#include <random>

#include "sim/engine.hpp"
#include "sim/flow_batch.hpp"

namespace v3sim::sim {
namespace {

constexpr double kGBps = 1e9;  // 1 byte per nanosecond

// Two flows of 100 and 300 bytes on one 1 byte/ns link: both at 1/2 until
// the first drains at 200; the second's last 200 bytes alone end at 400.
// Latencies (10 on the link) follow the drain.
TEST(FlowBatch, TwoFlowsShareThenTheLongerRunsAlone) {
  FlowBatch b;
  const auto l = b.add_link(kGBps, 10);
  const std::vector<FlowBatch::LinkId> path{l};
  b.add_flow(path);
  b.add_flow(path);
  const std::vector<double> bytes{100, 300};
  const FlowBatch::Result r = b.run(bytes);
  EXPECT_EQ(r.end[0], 210);
  EXPECT_EQ(r.end[1], 410);
  EXPECT_EQ(r.makespan, 410);
  EXPECT_EQ(r.events, 4u);
}

// The same paths with other bytes, and a flow of no bytes (its latency only).
TEST(FlowBatch, RunsAgainWithOtherBytes) {
  FlowBatch b;
  const auto a = b.add_link(2 * kGBps, 300), c = b.add_link(4 * kGBps, 200);
  const std::vector<FlowBatch::LinkId> path{a, c};
  b.add_flow(path);
  EXPECT_EQ(b.run(std::vector<double>{1000}).end[0], 500 + 500);
  EXPECT_EQ(b.run(std::vector<double>{4000}).end[0], 500 + 2000);
  EXPECT_EQ(b.run(std::vector<double>{0}).end[0], 500);
  EXPECT_THROW(b.run(std::vector<double>{1, 2}), std::invalid_argument);
}

// Random batches on random links: every flow's end equals the engine's with
// the flows as independent tasks of one unbounded resource.
TEST(FlowBatch, EndsEqualTheEngines) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 40; ++trial) {
    const int links = 2 + static_cast<int>(rng() % 12), flows = 1 + static_cast<int>(rng() % 60);
    FlowBatch b;
    TaskGraph g;
    const auto res = g.add_resource("comm", ResourceOrder::kReady, 0);
    for (int l = 0; l < links; ++l) {
      const double bw = (1 + rng() % 50) * 1e8;
      const Time latency = static_cast<Time>(rng() % 1000);
      b.add_link(bw, latency);
      g.add_link("l" + std::to_string(l), bw, latency);
    }
    std::vector<double> bytes;
    std::vector<TaskId> tasks;
    for (int f = 0; f < flows; ++f) {
      std::vector<FlowBatch::LinkId> path;
      for (int l = 0; l < links; ++l)
        if (rng() % 3 == 0) path.push_back(static_cast<FlowBatch::LinkId>(l));
      bytes.push_back(rng() % 8 == 0 ? 0 : static_cast<double>(1 + rng() % 1000000));
      b.add_flow(path);
      tasks.push_back(g.add_flow(res, bytes.back(), path));
    }
    const FlowBatch::Result r = b.run(bytes);
    const Timeline t = run(g);
    for (int f = 0; f < flows; ++f) ASSERT_EQ(r.end[static_cast<std::size_t>(f)], t.end[tasks[static_cast<std::size_t>(f)]]) << "trial " << trial << " flow " << f;
    EXPECT_EQ(r.makespan, t.makespan);
    EXPECT_EQ(r.events, t.events);
  }
}

}  // namespace
}  // namespace v3sim::sim
