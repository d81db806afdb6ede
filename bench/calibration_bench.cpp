// Calibration benchmarks: the GEMM fit (an active-set iteration from 45
// starts) on the DeepGEMM table and on a probe-sized set of samples, and
// reading DeepSeek's published profiler trace.
#include <benchmark/benchmark.h>

#include <filesystem>

#include <fstream>

#include "calibration/gemm_fit.hpp"
#include "calibration/gemm_terms.hpp"
#include "calibration/profiler_trace.hpp"
#include "calibration/reference_table.hpp"

namespace {

using namespace v3sim::calibration;

const DeviceRates kH800{1979, 989, 3.35, 132};

// A probe run's worth of FP8 GEMMs: 48 shapes at 6 SM targets, timed by the
// model itself (the fit's cost does not depend on where the times come from).
std::vector<GemmSample> probe_sized() {
  const GemmParams truth{0.82, 0.74, 0.6, 167};
  std::vector<GemmSample> out;
  for (std::int64_t m : {64, 128, 512, 4096})
    for (std::int64_t n : {2112, 4096, 7168, 24576})
      for (std::int64_t k : {512, 2048, 7168})
        for (int sms : {132, 120, 112, 100, 78, 66}) {
          GemmSample s{"", {m, n, k, 1}, GemmPrecision::kFp8, sms, 0};
          s.seconds = gemm_seconds(truth, gemm_terms(kH800, s.shape, s.precision, sms));
          out.push_back(s);
        }
  return out;
}

void BM_GemmFitDeepGemmTable(benchmark::State& state) {
  std::ifstream f(std::string(V3SIM_SOURCE_DIR) + "/calibration/reference/deepgemm_h800.json");
  const ReferenceTable table = read_reference_table(nlohmann::json::parse(f));
  const std::vector<GemmSample> samples = table.samples();
  for (auto _ : state) benchmark::DoNotOptimize(fit_gemm(samples, table.device, FitObjective::kMinimax));
}
BENCHMARK(BM_GemmFitDeepGemmTable)->Unit(benchmark::kMillisecond);

void BM_GemmFitProbeSized(benchmark::State& state) {
  const std::vector<GemmSample> samples = probe_sized();
  const auto objective = state.range(0) ? FitObjective::kMinimax : FitObjective::kLeastSquares;
  for (auto _ : state) benchmark::DoNotOptimize(fit_gemm(samples, kH800, objective));
  state.counters["samples"] = static_cast<double>(samples.size());
}
BENCHMARK(BM_GemmFitProbeSized)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// DeepSeek's 3 MB EP64 chunk-pair trace, read from ../shared (it is never
// part of the project): parse, classify 983 kernels, attribute them to
// annotations, summarize.
void BM_ReadProfilerTrace(benchmark::State& state) {
  const std::string path =
      std::string(V3SIM_SOURCE_DIR) + "/../shared/reference/profiles/deepseek-v3-train-ep64-chunk-pair.json";
  if (!std::filesystem::is_regular_file(path)) {
    state.SkipWithError("needs ../shared/reference/profiles/deepseek-v3-train-ep64-chunk-pair.json");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(summarize(read_profiler_trace(path)));
}
BENCHMARK(BM_ReadProfilerTrace)->Unit(benchmark::kMillisecond);

}  // namespace
