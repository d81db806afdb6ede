#include "sim/engine.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace v3sim::sim {
namespace {

TEST(Engine, ChainOnOneStreamEndsAtTheSumOfDurations) {
  TaskGraph g;
  const auto s = g.add_resource("s", ResourceOrder::kProgram, 1);
  const auto a = g.add_task(s, 3), b = g.add_task(s, 4), c = g.add_task(s, 5);
  const Timeline t = run(g);
  EXPECT_EQ(t.start[a], 0);
  EXPECT_EQ(t.start[b], 3);
  EXPECT_EQ(t.start[c], 7);
  EXPECT_EQ(t.makespan, 12);
  EXPECT_EQ(t.events, 3u);
}

// A chain of 200,000 unit tasks: one event each (task i ends at i + 1), a
// report every 65,536 events as that event is about to be handled: the k-th
// at the end of task 65,536 k - 1, at 65,536 k ns, with 65,536 k - 1 done.
TEST(Engine, ProgressIsReportedEvery65536EventsWhileAHookIsInstalled) {
  TaskGraph g;
  const auto s = g.add_resource("s", ResourceOrder::kProgram, 1);
  for (int i = 0; i < 200000; ++i) g.add_task(s, 1);
  std::vector<RunProgress> seen;
  {
    ProgressScope scope([&](const RunProgress& p) { seen.push_back(p); });
    const Timeline t = run(g);
    EXPECT_EQ(t.events, 200000u);
  }
  ASSERT_EQ(seen.size(), 3u);
  for (std::size_t k = 0; k < seen.size(); ++k) {
    EXPECT_EQ(seen[k].events, 65536u * (k + 1));
    EXPECT_EQ(seen[k].tasks_done, 65536u * (k + 1) - 1);
    EXPECT_EQ(seen[k].now, static_cast<Time>(65536 * (k + 1)));
    EXPECT_EQ(seen[k].tasks, 200000u);
  }
  run(g);  // the scope ended: nothing more reported
  EXPECT_EQ(seen.size(), 3u);
}

TEST(Engine, ProgramOrderHoldsEvenWhenALaterTaskIsReadyFirst) {
  TaskGraph g;
  const auto other = g.add_resource("other", ResourceOrder::kProgram, 1);
  const auto s = g.add_resource("s", ResourceOrder::kProgram, 1);
  const auto gate = g.add_task(other, 10);
  const auto first = g.add_task(s, 1);   // waits for gate
  const auto second = g.add_task(s, 1);  // ready at 0, but queued behind first
  g.add_edge(gate, first);
  const Timeline t = run(g);
  EXPECT_EQ(t.start[first], 10);
  EXPECT_EQ(t.start[second], 11);
}

// A release time holds a task back like a predecessor ending then: the
// stream waits behind it, and a later dependency still wins.
TEST(Engine, AReleasedTaskStartsNoEarlierThanItsRelease) {
  TaskGraph g;
  const auto s = g.add_resource("s", ResourceOrder::kProgram, 1);
  const auto other = g.add_resource("other", ResourceOrder::kProgram, 1);
  const auto a = g.add_task(s, 2), b = g.add_task(s, 1);
  g.set_release(a, 5);
  const auto gate = g.add_task(other, 4), c = g.add_task(other, 1);
  g.set_release(c, 3);
  const auto d = g.add_task(other, 1);
  g.set_release(d, 9);
  g.add_edge(gate, c);
  const Timeline t = run(g);
  EXPECT_EQ(t.start[a], 5);
  EXPECT_EQ(t.start[b], 7);
  EXPECT_EQ(t.start[c], 4);
  EXPECT_EQ(t.start[d], 9);
  EXPECT_EQ(t.makespan, 10);
  EXPECT_THROW(g.set_release(a, -1), std::invalid_argument);
}

TEST(Engine, ReadyOrderResourceRunsWhateverIsReady) {
  TaskGraph g;
  const auto other = g.add_resource("other", ResourceOrder::kProgram, 1);
  const auto s = g.add_resource("s", ResourceOrder::kReady, 1);
  const auto gate = g.add_task(other, 10);
  const auto first = g.add_task(s, 1);
  const auto second = g.add_task(s, 1);
  g.add_edge(gate, first);
  const Timeline t = run(g);
  EXPECT_EQ(t.start[second], 0);
  EXPECT_EQ(t.start[first], 10);
}

TEST(Engine, UnboundedResourceRunsTasksConcurrently) {
  TaskGraph g;
  const auto s = g.add_resource("links", ResourceOrder::kReady, 0);
  for (int i = 0; i < 5; ++i) g.add_task(s, 7);
  EXPECT_EQ(run(g).makespan, 7);
}

TEST(Engine, CapacityTwoRunsTwoAtATime) {
  TaskGraph g;
  const auto s = g.add_resource("pool", ResourceOrder::kReady, 2);
  for (int i = 0; i < 5; ++i) g.add_task(s, 10);
  EXPECT_EQ(run(g).makespan, 30);  // ceil(5 / 2) waves of 10
}

TEST(Engine, EdgeDelayPostponesTheSuccessor) {
  TaskGraph g;
  const auto a = g.add_resource("a", ResourceOrder::kProgram, 1);
  const auto b = g.add_resource("b", ResourceOrder::kProgram, 1);
  const auto x = g.add_task(a, 5), y = g.add_task(b, 2);
  g.add_edge(x, y, 3);
  const Timeline t = run(g);
  EXPECT_EQ(t.start[y], 8);
  EXPECT_EQ(t.makespan, 10);
  EXPECT_EQ(t.events, 3u);  // two finishes and one delayed arrival
}

TEST(Engine, JoinWaitsForTheLastPredecessor) {
  TaskGraph g;
  const auto a = g.add_resource("a", ResourceOrder::kProgram, 1);
  const auto b = g.add_resource("b", ResourceOrder::kProgram, 1);
  const auto c = g.add_resource("c", ResourceOrder::kProgram, 1);
  const auto x = g.add_task(a, 4), y = g.add_task(b, 9), z = g.add_task(c, 1);
  g.add_edge(x, z);
  g.add_edge(y, z);
  EXPECT_EQ(run(g).start[z], 9);
}

TEST(Engine, SameGraphGivesTheSameTimeline) {
  auto build = [] {
    TaskGraph g;
    const auto pool = g.add_resource("pool", ResourceOrder::kReady, 3);
    const auto s = g.add_resource("s", ResourceOrder::kProgram, 1);
    std::vector<TaskId> ids;
    for (int i = 0; i < 200; ++i) ids.push_back(g.add_task(i % 2 ? pool : s, 1 + (i * 7919) % 13));
    for (int i = 1; i < 200; ++i) g.add_edge(ids[(i * 31) % i], ids[i], i % 5);
    return g;
  };
  const Timeline a = run(build()), b = run(build());
  EXPECT_EQ(a.start, b.start);
  EXPECT_EQ(a.end, b.end);
  EXPECT_EQ(a.events, b.events);
}

TEST(Engine, DeadlockNamesTheStuckTasksAndWhatTheyWaitFor) {
  TaskGraph g;
  const auto s = g.add_resource("s", ResourceOrder::kProgram, 1);
  const auto a = g.add_task(s, 1), b = g.add_task(s, 1);
  g.add_edge(b, a);  // a runs first on the stream but needs b
  g.set_describer([](TaskId t) { return t == 0 ? std::string("alpha") : std::string("beta"); });
  try {
    run(g);
    FAIL() << "expected a deadlock";
  } catch (const DeadlockError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("2 of 2 tasks never ran"), std::string::npos) << msg;
    EXPECT_NE(msg.find("alpha waits for beta"), std::string::npos) << msg;
  }
}

TEST(Engine, RejectsBadGraphs) {
  TaskGraph g;
  const auto s = g.add_resource("s", ResourceOrder::kProgram, 1);
  EXPECT_THROW(g.add_task(s, -1), std::invalid_argument);
  EXPECT_THROW(g.add_task(7, 1), std::out_of_range);
  const auto t = g.add_task(s, 1);
  EXPECT_THROW(g.add_edge(t, 99), std::out_of_range);
}

TEST(Time, MillisecondsRoundToNanoseconds) {
  EXPECT_EQ(from_ms(1.5), 1'500'000);
  EXPECT_EQ(from_ms(1.0 / 3.0), 333'333);
  EXPECT_DOUBLE_EQ(to_ms(2'500'000), 2.5);
}

}  // namespace
}  // namespace v3sim::sim

namespace v3sim::sim {
namespace {

// An SM pool of 132: a communication kernel on 20 SMs and a compute kernel on
// the other 112 run side by side; a kernel wanting all 132 waits for both.
TEST(Engine, SmPoolRunsKernelsSideBySideWhenTheirSmsFit) {
  TaskGraph g;
  const auto sms = g.add_resource("gpu0 SMs", ResourceOrder::kReady, 132);
  const auto comm = g.add_task(sms, 50, 20);
  const auto gemm = g.add_task(sms, 80, 112);
  const auto whole = g.add_task(sms, 10, 132);
  const Timeline t = run(g);
  EXPECT_EQ(t.start[comm], 0);
  EXPECT_EQ(t.start[gemm], 0);
  EXPECT_EQ(t.start[whole], 80);
  EXPECT_EQ(t.makespan, 90);
  EXPECT_THROW(g.add_task(sms, 1, 133), std::invalid_argument);
}

}  // namespace
}  // namespace v3sim::sim
