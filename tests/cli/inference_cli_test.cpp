// End-to-end: the v3sim binary on inference scenarios.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/cli/cli_helpers.hpp"

namespace {

class InferenceCli : public Cli {};


TEST_F(InferenceCli, InferenceRunWritesSummaryTraceAndTimelines) {
  const Result r = v3sim("run " + inference_scenario("profile_decode_ep128.json") + " --no-timing --out " + dir_.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const auto summary = nlohmann::json::parse(slurp(dir_ / "summary.json"));
  EXPECT_EQ(summary["phase"], "decode");
  EXPECT_GT(summary["step_time_s"].get<double>(), 0);
  EXPECT_EQ(summary["layer_time_ms"].size(), 62u);  // 61 layers and the MTP module
  // Output tokens per GPU per second: the requests' accepted tokens (1 + 0.85 with the draft) over the step.
  EXPECT_DOUBLE_EQ(summary["throughput"]["tokens_per_s_per_gpu"].get<double>(),
                   128 * 1.85 / summary["step_time_s"].get<double>());
  const auto trace = nlohmann::json::parse(slurp(dir_ / "trace.json"));
  bool mb0 = false, mb1 = false;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] != "X") continue;
    mb0 = mb0 || e["args"]["microbatch"] == 0;
    mb1 = mb1 || e["args"]["microbatch"] == 1;
  }
  EXPECT_TRUE(mb0 && mb1);
  const std::string html = slurp(dir_ / "report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("ATTN-1 mb1"), std::string::npos);
  // Same input, same output.
  const fs::path again = dir_ / "again";
  ASSERT_EQ(v3sim("run " + inference_scenario("profile_decode_ep128.json") + " --no-timing --out " + again.string()).code, 0);
  EXPECT_EQ(slurp(dir_ / "summary.json"), slurp(again / "summary.json"));
  EXPECT_EQ(slurp(dir_ / "trace.json"), slurp(again / "trace.json"));
}

// A prefill trace carries counters and flows as training traces do: the
// memory summary.json reports, the 24 SMs DeepEP's normal kernels hold
// while an exchange runs (0 otherwise), and an arrow into and out of each
// exchange, every start matched by its finish.
TEST_F(InferenceCli, PrefillTraceHasCountersAndExchangeFlows) {
  const Result r = v3sim("run " + inference_scenario("production_prefill_dp32_ep32.json") + " --no-timing --out " + dir_.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const auto summary = nlohmann::json::parse(slurp(dir_ / "summary.json"));
  const auto trace = nlohmann::json::parse(slurp(dir_ / "trace.json"));
  std::map<long long, int> flow_ends;  // id -> starts minus finishes
  std::set<double> sms;
  std::size_t exchanges = 0, starts = 0;
  double kv_gb = -1;
  for (const auto& e : trace["traceEvents"]) {
    const std::string ph = e["ph"];
    if (ph == "X" && e["tid"] == 1) ++exchanges;
    if (ph == "s") ++flow_ends[e["id"].get<long long>()], ++starts;
    if (ph == "f") --flow_ends[e["id"].get<long long>()];
    if (ph == "C" && e["name"] == "SMs held by communication kernels" && e["pid"] == 0) sms.insert(e["args"]["SMs"].get<double>());
    if (ph == "C" && e["name"] == "memory (GB = 1e9 B)" && e["pid"] == 0) kv_gb = e["args"]["KV cache"].get<double>();
  }
  EXPECT_EQ(sms, (std::set<double>{0, 24}));
  EXPECT_NEAR(kv_gb, summary["memory_per_gpu_gb"]["kv_cache"].get<double>(), 1e-3 * kv_gb + 1e-3);
  EXPECT_GT(exchanges, 0u);
  EXPECT_GE(starts, exchanges);      // into every exchange, most out of it too
  EXPECT_LE(starts, 2 * exchanges);
  for (const auto& [id, open] : flow_ends) EXPECT_EQ(open, 0) << "flow " << id;
}

TEST_F(InferenceCli, InferenceBadInputIsExitTwoWithFileAndPointer) {
  const Result r = v3sim("run " + inference_scenario("profile_decode_ep128.json") +
                         " --set /workload/batch/kv_len=1000000 --out " + dir_.string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("profile_decode_ep128.json"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("/workload/batch/requests_per_gpu"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "summary.json"));
  const Result a = v3sim("run " + inference_scenario("profile_decode_ep128.json") +
                         " --set '/workload/mtp={\"depth\":1,\"acceptance\":1.5}' --out " + dir_.string());
  EXPECT_EQ(a.code, 2);
  EXPECT_NE(a.output.find("/workload/mtp/acceptance"), std::string::npos) << a.output;
}

TEST_F(InferenceCli, CompareInferenceVariants) {
  const Result r = v3sim("compare " + inference_scenario("profile_decode_ep128.json") + " --vary overlap --out " +
                         dir_.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const auto doc = nlohmann::json::parse(slurp(dir_ / "compare.json"));
  ASSERT_EQ(doc["variants"].size(), 2u);
  EXPECT_LT(doc["variants"][0]["step_time_s"].get<double>(), doc["variants"][1]["step_time_s"].get<double>());
}

}  // namespace
