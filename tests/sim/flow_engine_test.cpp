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
// An exchange of two members, by hand: member 1 launches at 100 (after a
// 100 ns task), member 0 at 0. Flow 0->1 (1000 B on link a, 1 B/ns, 50 ns
// latency) and 1->0 (500 B on link b) start at 100, when both ends have
// launched; they drain at 1100 and 600 and end one latency later (1150, 650).
// Each done task (10 ns) waits for both flows: both end at 1160. A flow from
// member 0 to itself (300 B on link c) starts at 0 and ends at 300.
TEST(FlowEngine, ExchangeFlowsStartWhenBothEndsLaunchedAndGateTheDoneTasks) {
  TaskGraph g;
  const auto cpu0 = g.add_resource("cpu0", ResourceOrder::kProgram, 1), cpu1 = g.add_resource("cpu1", ResourceOrder::kProgram, 1);
  const auto a = g.add_link("a", kGBps, 50), b = g.add_link("b", kGBps, 50), c = g.add_link("c", kGBps, 0);
  const auto before = g.add_task(cpu1, 100);
  const auto l0 = g.add_task(cpu0, 0), l1 = g.add_task(cpu1, 0);
  const auto d0 = g.add_task(cpu0, 10), d1 = g.add_task(cpu1, 10);
  g.add_edge(before, l1);
  const auto t = g.add_exchange_template(2, {{0, 1, 1000, g.add_path({a})}, {1, 0, 500, g.add_path({b})},
                                             {0, 0, 300, g.add_path({c})}});
  g.add_exchange(t, {l0, l1}, {d0, d1});
  const Timeline tl = run(g);
  EXPECT_EQ(tl.end[l1], 100);
  EXPECT_EQ(tl.start[d0], 1150);
  EXPECT_EQ(tl.end[d0], 1160);
  EXPECT_EQ(tl.end[d1], 1160);
  EXPECT_EQ(g.exchange_flow_count(), 3u);
}

// The same all-to-all as exchange flows and as flow tasks with four edges
// each (the formulation exchanges replace): identical timelines, call after
// call, with flows of different calls sharing the links.
TEST(FlowEngine, ExchangeMatchesFlowTasksWithEdges) {
  constexpr int kMembers = 4, kCalls = 3;
  auto build = [&](bool exchange, std::vector<TaskId>& dones) {
    TaskGraph g;
    std::vector<ResourceId> stream;
    std::vector<LinkId> up, down;
    for (int m = 0; m < kMembers; ++m) {
      stream.push_back(g.add_resource("s", ResourceOrder::kProgram, 1));
      up.push_back(g.add_link("up", kGBps * (1 + m), 7 * m));
      down.push_back(g.add_link("down", kGBps, 3));
    }
    const auto net = g.add_resource("net", ResourceOrder::kReady, 0);
    std::vector<ExchangeFlow> flows;
    for (std::uint32_t i = 0; i < kMembers; ++i)
      for (std::uint32_t j = 0; j < kMembers; ++j)
        flows.push_back({i, j, 100.0 * (1 + (i * 3 + j) % 5), g.add_path({up[i], down[j]})});
    const auto templ = g.add_exchange_template(kMembers, flows);
    for (int k = 0; k < kCalls; ++k) {
      std::vector<TaskId> launch, done;
      for (int m = 0; m < kMembers; ++m) {
        const auto work = g.add_task(stream[m], 50 * ((m + k) % 3));
        launch.push_back(g.add_task(stream[m], 0));
        g.add_edge(work, launch.back());
        done.push_back(g.add_task(stream[m], 5));
        g.add_edge(launch.back(), done.back());
      }
      if (exchange) {
        g.add_exchange(templ, launch, done);
      } else {
        for (const ExchangeFlow& f : flows) {
          const auto ft = g.add_flow_on(net, f.bytes, f.path);
          g.add_edge(launch[f.from], ft);
          g.add_edge(launch[f.to], ft);
          g.add_edge(ft, done[f.from]);
          g.add_edge(ft, done[f.to]);
        }
      }
      dones.insert(dones.end(), done.begin(), done.end());
    }
    return g;
  };
  std::vector<TaskId> dx, df;
  const TaskGraph gx = build(true, dx), gf = build(false, df);
  const Timeline tx = run(gx), tf = run(gf);
  ASSERT_EQ(dx.size(), df.size());
  for (std::size_t i = 0; i < dx.size(); ++i) EXPECT_EQ(tx.end[dx[i]], tf.end[df[i]]) << i;
  EXPECT_EQ(tx.makespan, tf.makespan);
  EXPECT_EQ(tx.events, tf.events);
}

}  // namespace v3sim::sim
