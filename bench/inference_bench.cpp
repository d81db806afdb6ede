// Serving-step benchmarks (targets in docs/benchmarks.md): a decode step of
// DeepSeek's production EP144 deployment and a prefill step of its EP32 one,
// each read from the shipped scenario, MTP off so one step is timed.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "models/inference/inference_step.hpp"
#include "models/scenario.hpp"

namespace {

using namespace v3sim;

models::Scenario load(const std::string& relative) {
  std::ifstream in(std::string(V3SIM_SOURCE_DIR) + "/" + relative);
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(ss.str());
  doc["workload"].erase("mtp");
  return models::parse_scenario(doc);
}

void run_step(benchmark::State& state, const std::string& file) {
  const models::Scenario s = load(file);
  for (auto _ : state) {
    const models::InferenceResult r = models::simulate_inference(*s.cluster, *s.inference);
    state.counters["tasks"] = static_cast<double>(r.task_count);
    state.counters["step_ms"] = r.step_s * 1e3;
  }
}

void BM_DecodeStepEp144(benchmark::State& state) {
  run_step(state, "scenarios/inference/production_decode_dp144_ep144.json");
}
BENCHMARK(BM_DecodeStepEp144)->Unit(benchmark::kMillisecond);

void BM_PrefillStepEp32(benchmark::State& state) {
  run_step(state, "scenarios/inference/production_prefill_dp32_ep32.json");
}
BENCHMARK(BM_PrefillStepEp32)->Unit(benchmark::kMillisecond);

}  // namespace
