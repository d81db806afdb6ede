// Full-scenario benchmarks: the DeepSeek-V3 step on 2048 H800s (target:
// under 2 s and 1 GiB, docs/benchmarks.md) and the EP64 chunk pair, read
// from the shipped scenario files.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "models/scenario.hpp"
#include "models/training/training_step.hpp"
#include "report/training_report.hpp"

namespace {

using namespace v3sim;

models::Scenario load(const std::string& relative, const std::string& fidelity) {
  std::ifstream in(std::string(V3SIM_SOURCE_DIR) + "/" + relative);
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(ss.str());
  doc["fidelity"] = fidelity;
  return models::parse_scenario(doc);
}

void run_scenario(benchmark::State& state, const std::string& file, const std::string& fidelity) {
  const models::Scenario s = load(file, fidelity);
  std::uint64_t events = 0;
  for (auto _ : state) {
    const models::TrainingResult r = models::simulate_training(*s.cluster, *s.training);
    events += r.events;
    state.counters["tasks"] = static_cast<double>(r.tasks);
    state.counters["flows"] = static_cast<double>(r.flows);
    state.counters["step_s"] = r.step_time_s;
  }
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

void BM_DeepSeekV3Step2048(benchmark::State& state) {
  run_scenario(state, "scenarios/deepseek_v3_pretrain_2048xh800.json", "reduced");
}
BENCHMARK(BM_DeepSeekV3Step2048)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_ChunkPairEp64(benchmark::State& state) {
  run_scenario(state, "scenarios/bench/chunk_pair_ep64.json", state.range(0) ? "full" : "reduced");
}
BENCHMARK(BM_ChunkPairEp64)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// What `v3sim run` adds to the simulation: summary, terminal table, trace and
// report rendered from the V3 step's result (the trace streamed with fmt).
void BM_DeepSeekV3StepOutputs(benchmark::State& state) {
  const models::Scenario s = load("scenarios/deepseek_v3_pretrain_2048xh800.json", "reduced");
  const models::TrainingResult r = models::simulate_training(*s.cluster, *s.training);
  std::size_t bytes = 0;
  for (auto _ : state) {
    bytes = report::training_summary_json(s, r, false).dump(2).size() + report::training_chrome_trace(r).size() +
            report::training_html_report(s, r).size() + report::training_terminal_summary(s, r).size();
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_DeepSeekV3StepOutputs)->Unit(benchmark::kMillisecond);

}  // namespace
