// Engine and full-scenario benchmarks. Targets (docs/benchmarks.md): at least
// 5 million events per second on one core; DualPipe with 16 stages and 240
// micro-batches in abstract mode under 10 ms.
#include <benchmark/benchmark.h>

#include "models/simulate.hpp"
#include "sim/allocator.hpp"
#include "sim/engine.hpp"

namespace {

using namespace v3sim;

// A layered DAG: `width` in-order streams, each task depending on its
// predecessor on the stream and on one task of the neighbouring stream in the
// previous layer, half of them through a delayed edge (an event of its own).
sim::TaskGraph layered_graph(int width, int depth) {
  sim::TaskGraph g;
  std::vector<sim::ResourceId> streams;
  for (int w = 0; w < width; ++w) streams.push_back(g.add_resource("s", sim::ResourceOrder::kProgram, 1));
  std::vector<sim::TaskId> prev(width), cur(width);
  for (int d = 0; d < depth; ++d) {
    for (int w = 0; w < width; ++w) {
      cur[w] = g.add_task(streams[w], 1 + (d * 131 + w * 17) % 7);
      if (d > 0) g.add_edge(prev[(w + 1) % width], cur[w], (w + d) % 2);
    }
    prev.swap(cur);
  }
  return g;
}

// Runs `g` for every iteration and reports the engine's events per second.
void run_counting_events(benchmark::State& state, const sim::TaskGraph& g) {
  std::uint64_t events = 0;
  for (auto _ : state) {
    const sim::Timeline t = sim::run(g);
    events += t.events;
    benchmark::DoNotOptimize(t.makespan);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

void BM_EngineEvents(benchmark::State& state) {
  run_counting_events(state, layered_graph(static_cast<int>(state.range(0)), 2000));
}
BENCHMARK(BM_EngineEvents)->Arg(16)->Arg(256)->Unit(benchmark::kMillisecond);

// The same graph with contention (sim/contention.hpp): every stream slows
// its right-hand neighbour by x1.25 while it runs, so most starts and ends
// move a neighbour's projected end (a superseded event each).
void BM_EngineContention(benchmark::State& state) {
  const int width = static_cast<int>(state.range(0));
  sim::TaskGraph g = layered_graph(width, 2000);
  for (int w = 0; w < width; ++w)
    g.add_slowdown(static_cast<sim::ResourceId>((w + 1) % width), static_cast<sim::ResourceId>(w), 1.25);
  run_counting_events(state, g);
}
BENCHMARK(BM_EngineContention)->Arg(16)->Arg(256)->Unit(benchmark::kMillisecond);

void BM_AbstractSchedule(benchmark::State& state, models::ScheduleKind kind, int stages, int microbatches) {
  models::Scenario s;
  s.schedule.kind = kind;
  s.schedule.stages = stages;
  s.schedule.microbatches = microbatches;
  s.op_costs.F = 1;
  s.op_costs.B = 2;
  s.op_costs.W = 1;
  s.op_costs.FB = 2;
  std::uint64_t events = 0;
  for (auto _ : state) {
    const models::PipelineResult r = models::simulate(s);
    events += r.events;
    benchmark::DoNotOptimize(r.step_time);
  }
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_AbstractSchedule, dualpipe_16x240, models::ScheduleKind::kDualPipe, 16, 240)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_AbstractSchedule, dualpipev_32x240, models::ScheduleKind::kDualPipeV, 32, 240)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_AbstractSchedule, zb1p_16x240, models::ScheduleKind::kZB1P, 16, 240)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_AbstractSchedule, zbh2_16x240, models::ScheduleKind::kZBH2, 16, 240)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_AbstractSchedule, 1f1b_16x240, models::ScheduleKind::k1F1B, 16, 240)->Unit(benchmark::kMillisecond);

}  // namespace

// The CLI's allocator settings (sim/allocator.hpp), so that the numbers are
// the ones a user sees.
int main(int argc, char** argv) {
  v3sim::sim::keep_freed_memory();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
