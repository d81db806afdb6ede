// Request-level serving benchmarks (targets in docs/benchmarks.md): the
// event loop alone (fixed step prices, 100,000 requests with prefix sharing
// and MTP draws), the small shipped scenario with its step surfaces, a
// million requests through ten units, the Mooncake trace on DeepSeek's
// units, and a day of DeepSeek's fleet.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "models/scenario.hpp"
#include "models/serving/serving_sim.hpp"

namespace {

using namespace v3sim;

nlohmann::json load(const std::string& relative) {
  std::ifstream in(std::string(V3SIM_SOURCE_DIR) + "/" + relative);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

void run(benchmark::State& state, const nlohmann::json& doc) {
  const models::Scenario s = models::parse_scenario(doc);
  for (auto _ : state) {
    const models::ServingResult r = models::simulate_serving(*s.serving);
    state.counters["requests"] = static_cast<double>(r.completed);
    state.counters["decode_steps"] = static_cast<double>(r.decode_steps);
  }
}

void BM_ServingEventLoop100k(benchmark::State& state) {
  nlohmann::json doc = load("scenarios/serving/small_synthetic.json");
  doc["workload"]["source"]["requests"] = 100000;
  doc["workload"]["source"]["rate_per_s"] = 40;
  doc["workload"]["step_prices"] = {{"kind", "fixed"}, {"prefill_s", 0.02}, {"decode_s", 0.01}};
  run(state, doc);
}
BENCHMARK(BM_ServingEventLoop100k)->Unit(benchmark::kMillisecond);

void BM_ServingSmallScenario(benchmark::State& state) { run(state, load("scenarios/serving/small_synthetic.json")); }
BENCHMARK(BM_ServingSmallScenario)->Unit(benchmark::kMillisecond);

// A million requests through ten units (five prefill, five decode), the
// small scenario's units at their step-model prices.
void BM_ServingMillionRequests10Units(benchmark::State& state) {
  nlohmann::json doc = load("scenarios/serving/small_synthetic.json");
  doc["cluster"]["nodes"] = 15;
  doc["workload"]["prefill"]["units"] = 5;
  doc["workload"]["decode"]["units"] = 5;
  doc["workload"]["source"]["requests"] = 1000000;
  doc["workload"]["source"]["rate_per_s"] = 200;
  run(state, doc);
}
BENCHMARK(BM_ServingMillionRequests10Units)->Unit(benchmark::kSecond)->Iterations(1);

// The Mooncake conversation trace (../shared; skipped where absent) on
// DeepSeek's units: two EP32 prefill units, one EP144 decode unit.
void BM_ServingMooncakeConversation(benchmark::State& state) {
  const std::string trace = std::string(V3SIM_SOURCE_DIR) + "/../shared/traces/mooncake-fast25/conversation_trace.jsonl";
  if (!std::ifstream(trace)) {
    state.SkipWithError("../shared/traces is absent");
    return;
  }
  nlohmann::json doc = load("scenarios/serving/mooncake_conversation.json");
  doc["workload"]["source"]["file"] = trace;
  run(state, doc);
}
BENCHMARK(BM_ServingMooncakeConversation)->Unit(benchmark::kSecond)->Iterations(1);

// A day of DeepSeek's fleet (about 155 million requests, autoscaled): minutes.
void BM_ServingDeepSeekDay(benchmark::State& state) { run(state, load("scenarios/serving/deepseek_day.json")); }
BENCHMARK(BM_ServingDeepSeekDay)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
