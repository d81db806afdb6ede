// Reading input: the strict JSON reader (duplicate keys, nesting) on an
// object of many keys. Target: linear, 80,000 keys in well under a second
// (39 s when duplicate detection searched a list).
#include <benchmark/benchmark.h>

#include <string>

#include "sim/json_text.hpp"

namespace {

void BM_StrictJsonManyKeys(benchmark::State& state) {
  std::string text = "{";
  for (int i = 0; i < state.range(0); ++i) text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\": " + std::to_string(i);
  text += "}";
  for (auto _ : state) benchmark::DoNotOptimize(v3sim::sim::parse_strict_json(text));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_StrictJsonManyKeys)->Arg(10000)->Arg(80000)->Unit(benchmark::kMillisecond)->Complexity();

}  // namespace
