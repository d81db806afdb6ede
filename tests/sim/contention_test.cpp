// Kernels that contend for one GPU (TaskGraph::add_slowdown): hand-worked
// timelines of a kernel alone, beside another, and two streams sharing SMs.
#include <gtest/gtest.h>

#include "sim/engine.hpp"

namespace v3sim::sim {
namespace {

struct Gpu {
  TaskGraph g;
  ResourceId compute = g.add_resource("compute", ResourceOrder::kProgram, 1);
  ResourceId comm = g.add_resource("comm", ResourceOrder::kProgram, 1);
};

TEST(Contention, AKernelAloneRunsAtItsStandaloneRate) {
  Gpu gpu;
  gpu.g.add_slowdown(gpu.compute, gpu.comm, 1.5);
  const TaskId gemm = gpu.g.add_task(gpu.compute, 10'000);
  const Timeline t = run(gpu.g);
  EXPECT_EQ(t.end[gemm], 10'000);
}

TEST(Contention, AKernelBesideACommunicationKernelIsSlowedOnlyWhileItRuns) {
  // 4 us beside the comm kernel at 1/1.5 of its rate does 2.667 us of its
  // 10 us; the 7.333 us left run alone: it ends at 11.333 us.
  Gpu gpu;
  gpu.g.add_slowdown(gpu.compute, gpu.comm, 1.5);
  const TaskId gemm = gpu.g.add_task(gpu.compute, 10'000);
  const TaskId a2a = gpu.g.add_task(gpu.comm, 4'000);
  const Timeline t = run(gpu.g);
  EXPECT_EQ(t.end[a2a], 4'000);
  EXPECT_NEAR(static_cast<double>(t.end[gemm]), 11'333.3, 1.0);
}

TEST(Contention, AKernelStartingAfterTheOtherEndedIsNotSlowed) {
  Gpu gpu;
  gpu.g.add_slowdown(gpu.compute, gpu.comm, 1.5);
  const TaskId a2a = gpu.g.add_task(gpu.comm, 4'000);
  const TaskId gemm = gpu.g.add_task(gpu.compute, 10'000);
  gpu.g.add_edge(a2a, gemm);
  const Timeline t = run(gpu.g);
  EXPECT_EQ(t.start[gemm], 4'000);
  EXPECT_EQ(t.end[gemm], 14'000);
}

TEST(Contention, TwoStreamsSharingTheSmsSplitThemEvenly) {
  // Each at half rate while both run: the 4 us kernel ends at 8 us, having
  // let the 10 us one do 4 us; its 6 us left run alone: 14 us, the same
  // total work as one after the other.
  TaskGraph g;
  const auto first = g.add_resource("compute", ResourceOrder::kProgram, 1);
  const auto second = g.add_resource("compute 2", ResourceOrder::kProgram, 1);
  g.add_slowdown(first, second, 2);
  g.add_slowdown(second, first, 2);
  const TaskId a = g.add_task(first, 10'000);
  const TaskId b = g.add_task(second, 4'000);
  const Timeline t = run(g);
  EXPECT_EQ(t.end[b], 8'000);
  EXPECT_EQ(t.end[a], 14'000);
}

TEST(Contention, FactorsOfSeveralBusyResourcesMultiply) {
  // Beside both (x1.5 x 2 = x3) for 3 us: 1 us of work; 5 us left alone.
  TaskGraph g;
  const auto compute = g.add_resource("compute", ResourceOrder::kProgram, 1);
  const auto comm = g.add_resource("comm", ResourceOrder::kProgram, 1);
  const auto other = g.add_resource("compute 2", ResourceOrder::kProgram, 1);
  g.add_slowdown(compute, comm, 1.5);
  g.add_slowdown(compute, other, 2);
  const TaskId k = g.add_task(compute, 6'000);
  g.add_task(comm, 3'000);
  g.add_task(other, 3'000);
  const Timeline t = run(g);
  EXPECT_EQ(t.end[k], 8'000);
}

TEST(Contention, ASpanHoldsItsResourceUntilItsLastTaskEnds) {
  // The comm kernel occupies the GPU from its launch (0) until its done task
  // ends at 5 us; a 4 us kernel beside it at half rate does 2.5 us by then
  // and ends at 6.5 us.
  TaskGraph g;
  const auto compute = g.add_resource("compute", ResourceOrder::kProgram, 1);
  const auto comm = g.add_resource("comm", ResourceOrder::kProgram, 1);
  const auto kernel = g.add_resource("comm kernel", ResourceOrder::kReady, 0);
  g.add_slowdown(compute, kernel, 2);
  const TaskId launch = g.add_task(comm, 0);
  const TaskId done = g.add_task(comm, 5'000);
  g.add_edge(launch, done);
  const TaskId span = g.add_span(kernel, launch, done);
  const TaskId k = g.add_task(compute, 4'000);
  const Timeline t = run(g);
  EXPECT_EQ(t.start[span], 0);
  EXPECT_EQ(t.end[span], 5'000);
  EXPECT_EQ(t.end[k], 6'500);
}

TEST(Contention, RejectsFactorsBelowOneAndSelfSlowdown) {
  Gpu gpu;
  EXPECT_THROW(gpu.g.add_slowdown(gpu.compute, gpu.comm, 0.5), std::invalid_argument);
  EXPECT_THROW(gpu.g.add_slowdown(gpu.compute, gpu.compute, 2), std::invalid_argument);
}

}  // namespace
}  // namespace v3sim::sim
