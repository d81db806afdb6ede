// Sweep throughput: abstract-mode schedule points per second through the
// sweep runner (simulation, summary, field extraction, journal), on 1 and 2
// threads. Target: at least 2000 points per second on 2 cores.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/sweep_runner.hpp"
#include "models/study/study.hpp"

namespace {

using namespace v3sim;

nlohmann::json read(const std::string& relative) {
  std::ifstream in(std::string(V3SIM_SOURCE_DIR) + "/" + relative);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

void BM_SweepAbstractPoints(benchmark::State& state) {
  const models::Study study = models::parse_study(read("scenarios/studies/schedules.json"));
  const nlohmann::json base = read("scenarios/abstract/dualpipe_8x20.json");
  cli::SweepWork work;
  work.study = &study;
  work.base = &base;
  work.total = models::point_count(study);
  for (std::size_t p = 0; p < work.total; ++p) work.todo.push_back(p);
  const std::string journal = "/tmp/v3sim_sweep_bench.jsonl";
  std::size_t done = 0;
  for (auto _ : state) {
    std::ofstream out(journal, std::ios::trunc);
    done += cli::run_points(work, static_cast<int>(state.range(0)), out, 0, false).rows.size();
  }
  std::remove(journal.c_str());
  state.counters["points_per_s"] = benchmark::Counter(static_cast<double>(done), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SweepAbstractPoints)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
