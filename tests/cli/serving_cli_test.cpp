// End-to-end: the v3sim binary on serving scenarios.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_helpers.hpp"

namespace {

class ServingCli : public Cli {};

std::string serving_scenario(const std::string& name) {
  return std::string(V3SIM_SOURCE_DIR) + "/scenarios/serving/" + name;
}

TEST_F(ServingCli, RunWritesTheServingSummaryReportAndTrace) {
  const Result r = v3sim("run " + serving_scenario("small_synthetic.json") + " --no-timing --out " + dir_.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const auto summary = nlohmann::json::parse(slurp(dir_ / "summary.json"));
  EXPECT_EQ(summary["kind"], "serving");
  const auto& v = summary["serving"];
  EXPECT_EQ(v["requests"]["arrived"], 400);
  EXPECT_EQ(v["requests"]["completed"].get<long long>() + v["requests"]["rejected"].get<long long>(), 400);
  for (const char* k : {"ttft_s", "tpot_s", "e2e_s"})
    for (const char* q : {"mean", "p50", "p90", "p99"}) EXPECT_TRUE(v[k][q].is_number()) << k << q;
  EXPECT_TRUE(v["slo"]["attainment"].is_number());
  EXPECT_TRUE(v["step_price_error"]["decode"]["max_relative"].is_number());
  EXPECT_NE(slurp(dir_ / "report.html").find("<svg"), std::string::npos);
  EXPECT_NE(slurp(dir_ / "trace.json").find("decode step"), std::string::npos);
  // Same input, same output.
  const fs::path again = dir_ / "again";
  ASSERT_EQ(v3sim("run " + serving_scenario("small_synthetic.json") + " --no-timing --out " + again.string()).code, 0);
  EXPECT_EQ(slurp(dir_ / "summary.json"), slurp(again / "summary.json"));
}

TEST_F(ServingCli, AMalformedTraceRowIsExitTwoNamingFileAndLine) {
  fs::create_directories(dir_);
  const fs::path trace = dir_ / "bad.jsonl";
  std::ofstream(trace) << "{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": [1, 2]}\n"
                       << "{\"timestamp\": 10, \"input_length\": \"many\", \"output_length\": 5, \"hash_ids\": [3]}\n";
  const fs::path out = dir_ / "out";
  const Result r = v3sim("run " + serving_scenario("small_synthetic.json") + " --set '/workload/source={\"kind\": \"mooncake\", \"file\": \"" +
                         trace.string() + "\"}' --out " + out.string());
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("/workload/source/file"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bad.jsonl' line 2"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out / "summary.json"));
}

TEST_F(ServingCli, CompareServingScenariosSideBySide) {
  fs::create_directories(dir_);
  nlohmann::json two = nlohmann::json::parse(slurp(serving_scenario("small_synthetic.json")));
  two["workload"]["prefill"]["units"] = 2;
  two["cluster"]["nodes"] = 4;  // 2 x 8 prefill GPUs and 16 decode GPUs
  const fs::path b = dir_ / "two_prefill_units.json";
  std::ofstream(b) << two.dump(2);
  const fs::path out = dir_ / "cmp";
  const Result r = v3sim("compare " + serving_scenario("small_synthetic.json") + " " + b.string() + " --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const auto doc = nlohmann::json::parse(slurp(out / "compare.json"));
  ASSERT_EQ(doc["variants"].size(), 2u);
  EXPECT_EQ(doc["variants"][1]["prefill_units"], 2);
  // A second prefill unit cannot lengthen the queue for the same requests.
  EXPECT_LE(doc["variants"][1]["ttft_p99_s"].get<double>(), doc["variants"][0]["ttft_p99_s"].get<double>());
}

}  // namespace
