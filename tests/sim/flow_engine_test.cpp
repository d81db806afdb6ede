// Flows on the engine: durations decided by max-min sharing, hand-derived.
#include <gtest/gtest.h>

#include "sim/engine.hpp"

constexpr double kGBps = 1e9;  // 1 GB/s = 1 byte per nanosecond

namespace v3sim::sim {
namespace {

TEST(FlowEngine, OneFlowTakesLatencyPlusBytesOverBandwidth) {
  TaskGraph g;
  const auto nic = g.add_resource("nic", ResourceOrder::kReady, 0);
  const auto a = g.add_link("a", 2 * kGBps, 300), b = g.add_link("b", 4 * kGBps, 200);
  const auto f = g.add_flow(nic, 1000, {a, b});
  const Timeline t = run(g);
  EXPECT_EQ(t.start[f], 0);
  EXPECT_EQ(t.end[f], 500 + 1000 / 2);  // path latency + bytes over the slower link
}

TEST(FlowEngine, KEqualFlowsShareOneLink) {
  for (int k : {2, 3, 8}) {
    TaskGraph g;
    const auto nic = g.add_resource("nic", ResourceOrder::kReady, 0);
    const auto l = g.add_link("l", kGBps, 0);
    std::vector<TaskId> flows;
    for (int i = 0; i < k; ++i) flows.push_back(g.add_flow(nic, 600, {l}));
    const Timeline t = run(g);
    for (auto f : flows) EXPECT_EQ(t.end[f], 600 * k);
  }
}

// A (100 bytes) starts at 0 alone on a 1 byte/ns link; B (100 bytes) joins
// at 50. A: 50 bytes alone, 50 more at 1/2 -> ends at 150. B: 50 bytes by 150
// at 1/2, then 50 alone -> ends at 200. Bytes conserved: 200 in 200 ns.
TEST(FlowEngine, LateArrivalSlowsTheFirstFlowDown) {
  TaskGraph g;
  const auto nic = g.add_resource("nic", ResourceOrder::kReady, 0);
  const auto cpu = g.add_resource("cpu", ResourceOrder::kProgram, 1);
  const auto l = g.add_link("l", kGBps, 0);
  const auto a = g.add_flow(nic, 100, {l});
  const auto gate = g.add_task(cpu, 50);
  const auto b = g.add_flow(nic, 100, {l});
  g.add_edge(gate, b);
  const Timeline t = run(g);
  EXPECT_EQ(t.end[a], 150);
  EXPECT_EQ(t.start[b], 50);
  EXPECT_EQ(t.end[b], 200);
}

TEST(FlowEngine, RateCapBoundsAFlowOnAnIdleLink) {
  TaskGraph g;
  const auto nic = g.add_resource("nic", ResourceOrder::kReady, 0);
  const auto l = g.add_link("l", 10 * kGBps, 0);
  const auto f = g.add_flow(nic, 1000, {l}, 0.5 * kGBps);
  EXPECT_EQ(run(g).end[f], 2000);
}

TEST(FlowEngine, SuccessorsOfAFlowWaitForItsEnd) {
  TaskGraph g;
  const auto nic = g.add_resource("nic", ResourceOrder::kReady, 0);
  const auto cpu = g.add_resource("cpu", ResourceOrder::kProgram, 1);
  const auto l = g.add_link("l", kGBps, 10);
  const auto f = g.add_flow(nic, 90, {l});
  const auto c = g.add_task(cpu, 5);
  g.add_edge(f, c);
  const Timeline t = run(g);
  EXPECT_EQ(t.start[c], 100);
  EXPECT_EQ(t.makespan, 105);
}

}  // namespace
}  // namespace v3sim::sim

namespace v3sim::sim {
namespace {

// Three senders, each capped at 1 byte/ns, each sending 8000 bytes in two
// flows to the others: every sender stays busy, so the step is 8000 ns even
// though rate changes leave superseded drain projections behind.
TEST(FlowEngine, SenderCappedAllToAllIsWorkConserving) {
  TaskGraph g;
  const auto nic = g.add_resource("nic", ResourceOrder::kReady, 0);
  std::vector<LinkId> cap, out, in;
  for (int i = 0; i < 3; ++i) {
    cap.push_back(g.add_link("cap", kGBps, 0));
    out.push_back(g.add_link("out", 1000 * kGBps, 0));
    in.push_back(g.add_link("in", 1000 * kGBps, 0));
  }
  for (int s = 0; s < 3; ++s)
    for (int d = 0; d < 3; ++d)
      if (s != d) g.add_flow(nic, 1000.0 * (1 + s + 2 * d), {cap[s], out[s], in[d]});
  EXPECT_EQ(run(g).makespan, 8000);
}

}  // namespace
}  // namespace v3sim::sim
