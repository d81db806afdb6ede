// End-to-end: the v3sim binary on shipped and broken scenarios.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "models/study/study.hpp"
#include "tests/calibration/synthetic_probes.hpp"
#include "tests/cli/cli_helpers.hpp"

namespace {


TEST_F(Cli, RunWritesSummaryTraceAndReport) {
  const Result r = v3sim("run " + scenario("dualpipe_8x20.json") + " --out " + dir_.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("step time 52.000 ms"), std::string::npos) << r.output;

  const auto summary = nlohmann::json::parse(slurp(dir_ / "summary.json"));
  EXPECT_EQ(summary["step_time_ms"], 52.0);
  ASSERT_EQ(summary["ranks"].size(), 8u);
  const double idle[] = {1, 2, 3, 3, 3, 3, 2, 1};
  double busy = 0;
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(summary["ranks"][i]["rank"], i);
    EXPECT_EQ(summary["ranks"][i]["bubble_ms"], idle[i]);
    EXPECT_EQ(summary["ranks"][i]["peak_activations"], 9);
    EXPECT_EQ(summary["ranks"][i]["parameter_copies"], 2.0);
    busy += summary["ranks"][i]["busy_ms"].get<double>();
  }
  EXPECT_NEAR(summary["bubble_fraction"].get<double>(), 18.0 / (8 * 52), 1e-12);
  EXPECT_NEAR(busy, 8 * 52 - 18, 1e-9);
  EXPECT_GT(summary["events"].get<int>(), 0);
  EXPECT_TRUE(summary.contains("wall_time_s"));

  const auto trace = nlohmann::json::parse(slurp(dir_ / "trace.json"));
  int slices = 0;
  std::set<int> pids;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "X") {
      ++slices;
      pids.insert(e["pid"].get<int>());
      EXPECT_GE(e["dur"].get<double>(), 0);
    }
  }
  // One slice per op: 8 ranks x (20 forwards + 20 backwards), minus one per
  // overlapped pair, plus one per deferred W. By the eight steps, rank r with
  // h = min(r, 7-r) runs 2(C/2-N+h+1) + (N/2-h-1) pairs (minus one on the two
  // middle ranks) and 2(N/2-h-1) + (h+1) deferred W: per rank 40 - pairs + W.
  int expected = 0;
  for (int r = 0; r < 8; ++r) {
    const int h = std::min(r, 7 - r);
    const int pairs = 2 * (10 - 8 + h + 1) + (4 - h - 1) - ((r == 3 || r == 4) ? 1 : 0);
    const int weights = 2 * (4 - h - 1) + (h + 1);
    expected += 40 - pairs + weights;
  }
  EXPECT_EQ(pids.size(), 8u);
  EXPECT_EQ(slices, expected);
  const std::string html = slurp(dir_ / "report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  // Self-contained: one embedded script (zoom, hover), nothing fetched.
  EXPECT_NE(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
}

TEST_F(Cli, SameInputSameBytes) {
  const fs::path a = dir_ / "a", b = dir_ / "b";
  ASSERT_EQ(v3sim("run " + scenario("zb1p_8x20.json") + " --no-timing --out " + a.string()).code, 0);
  ASSERT_EQ(v3sim("run " + scenario("zb1p_8x20.json") + " --no-timing --out " + b.string()).code, 0);
  for (const char* f : {"summary.json", "trace.json", "report.html"}) EXPECT_EQ(slurp(a / f), slurp(b / f)) << f;
}

TEST_F(Cli, SetOverridesFieldsAsJsonOrString) {
  const Result r = v3sim("run " + scenario("dualpipe_8x20.json") +
                         " --set /schedule/kind=1f1b --set /op_costs_ms/F=1.5 --no-timing --out " + dir_.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const auto summary = nlohmann::json::parse(slurp(dir_ / "summary.json"));
  EXPECT_EQ(summary["schedule"]["kind"], "1f1b");
  EXPECT_EQ(summary["step_time_ms"], (20 + 7) * (1.5 + 2));
  // The title follows the run: the file's name says what --set changed.
  EXPECT_NE(summary["scenario"].get<std::string>().find("(--set /schedule/kind=1f1b, /op_costs_ms/F=1.5)"), std::string::npos)
      << summary["scenario"];
  EXPECT_NE(slurp(dir_ / "report.html").find("/schedule/kind=1f1b"), std::string::npos);
}

// DeepSeek-V3 on 4 pipeline ranks of 4 nodes holds 61 layers' weights and
// optimizer state over 32 GPUs: every rank needs far more than 80 GB.
TEST_F(Cli, MemoryThatDoesNotFitIsSaidOnceAndCanFailTheRun) {
  const std::string step = std::string(V3SIM_SOURCE_DIR) +
                           "/scenarios/deepseek_v3_pretrain_2048xh800.json --set /cluster/nodes=4 --set /parallelism/pp=4 "
                           "--set /parallelism/ep=8 --set /schedule/kind=\\\"1f1b\\\" --set /training/global_batch=64 --no-timing";
  Result r = v3sim("run " + step + " --out " + dir_.string());
  ASSERT_EQ(r.code, 0) << r.output;
  std::size_t said = 0;
  for (std::size_t at = r.output.find("rank 0 needs"); at != std::string::npos; at = r.output.find("rank 0 needs", at + 1)) ++said;
  EXPECT_EQ(said, 1u) << r.output;
  const auto summary = nlohmann::json::parse(slurp(dir_ / "summary.json"));
  EXPECT_FALSE(summary["fits"].get<bool>());
  EXPECT_EQ(summary["ranks_over_memory"].size(), 4u);
  r = v3sim("run " + step + " --require-fit --out " + dir_.string());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("memory does not fit on ranks [0,1,2,3]"), std::string::npos) << r.output;
}

TEST_F(Cli, AloneItPrintsItsCommands) {
  const Result r = v3sim("");
  EXPECT_EQ(r.code, 0) << r.output;
  for (const char* c : {"run", "validate", "sweep", "compare", "export-chakra"})
    EXPECT_NE(r.output.find(c), std::string::npos) << c << " in\n" << r.output;
}

TEST_F(Cli, BadInputIsOneLineExit2AndNoOutput) {
  fs::create_directories(dir_);
  const fs::path bad = dir_ / "bad.json";
  std::ofstream(bad) << "{\n  \"schedule\": {\"kind\": \"dualpipe\", \"stages\": 8,\n    \"microbatch\": 20},\n"
                        "  \"op_costs_ms\": {\"F\": 1, \"B\": 2, \"W\": 1}\n}\n";
  const fs::path out = dir_ / "out";
  const Result r = v3sim("run " + bad.string() + " --out " + out.string());
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.output, "v3sim: " + bad.string() + ":3: /schedule/microbatch: unknown key 'microbatch' (did you mean 'microbatches'?)\n");
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(Cli, ConstraintViolationNamesFileLineAndPointer) {
  const Result r = v3sim("validate " + scenario("dualpipe_8x20.json") + " --set /schedule/microbatches=10");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("/schedule/microbatches (from --set /schedule/microbatches): dualpipe needs at least twice "
                          "as many micro-batches as stages (16), got 10"),
            std::string::npos)
      << r.output;
}

TEST_F(Cli, InvalidJsonNamesTheLine) {
  fs::create_directories(dir_);
  const fs::path bad = dir_ / "broken.json";
  std::ofstream(bad) << "{\n  \"schedule\": {\n    \"kind\": \"1f1b\",,\n  }\n}\n";
  const Result r = v3sim("validate " + bad.string());
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.output.rfind("v3sim: " + bad.string() + ":3: invalid JSON", 0), 0u) << r.output;
}

TEST_F(Cli, SetIntoNothingIsAnError) {
  EXPECT_EQ(v3sim("validate " + scenario("1f1b_8x20.json") + " --set /cluster/nodes=4").code, 2);
  const Result r = v3sim("validate " + scenario("1f1b_8x20.json") + " --set /schedule/kidn=zb1p");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("unknown key 'kidn' (did you mean 'kind'?)"), std::string::npos) << r.output;
}

TEST_F(Cli, ScheduleCommandPrintsTheNotation) {
  const Result r = v3sim("schedule --kind 1f1b --stages 2 --microbatches 3");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.output, "rank0: F0 F1 B0 F2 B1 B2\nrank1: F0 B0 F1 B1 F2 B2\n");
  const Result j = v3sim("schedule --kind dualpipev --stages 8 --microbatches 8 --format json");
  ASSERT_EQ(j.code, 0);
  const auto doc = nlohmann::json::parse(j.output);
  EXPECT_EQ(doc["ranks"], 4);  // --stages counts stages; DualPipeV holds two per rank
  EXPECT_EQ(v3sim("schedule --kind dualpipe --stages 5 --microbatches 10").code, 2);
  EXPECT_EQ(v3sim("schedule --kind nope --stages 4 --microbatches 8").code, 2);
}

TEST_F(Cli, ListAndUsage) {
  const Result r = v3sim("list");
  EXPECT_EQ(r.code, 0);
  for (const char* k : {"gpipe", "1f1b", "interleaved_1f1b", "zb1p", "zbh2", "dualpipe", "dualpipev"})
    EXPECT_NE(r.output.find(k), std::string::npos) << k;
  EXPECT_EQ(v3sim("frobnicate").code, 2);
  EXPECT_EQ(v3sim("run").code, 2);
  EXPECT_EQ(v3sim("run /no/such/file.json").code, 2);
}

TEST_F(Cli, TopologyPrintsTheFabricCounts) {
  const Result r = v3sim("topology " + std::string(V3SIM_SOURCE_DIR) + "/scenarios/clusters/deepseek_v3_2048xh800.json");
  ASSERT_EQ(r.code, 0) << r.output;
  // 8 planes of 256 endpoints: 8 leaves of 32 down ports and 4 spines each.
  EXPECT_NE(r.output.find("256 nodes of 8 x h800 (2048 GPUs)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("64 leaves, 32 spines, 0 cores (96 switches)"), std::string::npos) << r.output;
  const Result bad = v3sim("topology " + scenario("1f1b_8x20.json"));
  EXPECT_EQ(bad.code, 2);
}

TEST_F(Cli, EpAllToAllWritesSummaryAndTrace) {
  const Result r = v3sim("run " + std::string(V3SIM_SOURCE_DIR) + "/scenarios/bench/deepep_intranode_ep8.json --out " +
                         dir_.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const auto summary = nlohmann::json::parse(slurp(dir_ / "summary.json"));
  EXPECT_EQ(summary["mode"], "ep_alltoall");
  // Within one node every GPU sends to the 7 others: 56 NVLink flows per phase.
  EXPECT_EQ(summary["dispatch"]["flows"], 56);
  const auto trace = nlohmann::json::parse(slurp(dir_ / "trace.json"));
  int begins = 0;
  for (const auto& e : trace["traceEvents"]) begins += e["ph"] == "b";
  EXPECT_EQ(begins, 2 * 56);
}

// The chunk pair's trace lists the components of F0, then [F1 & B0] in
// DeepSeek-V3's order, then B1, four MoE layers each; reruns are identical.
TEST_F(Cli, ChunkPairTraceFollowsDeepSeekOrder) {
  const std::string file = std::string(V3SIM_SOURCE_DIR) + "/scenarios/bench/chunk_pair_ep64.json";
  const Result r = v3sim("run " + file + " --no-timing --out " + (dir_ / "a").string());
  ASSERT_EQ(r.code, 0) << r.output;
  ASSERT_EQ(v3sim("run " + file + " --no-timing --out " + (dir_ / "b").string()).code, 0);
  EXPECT_EQ(slurp(dir_ / "a" / "summary.json"), slurp(dir_ / "b" / "summary.json"));
  EXPECT_EQ(slurp(dir_ / "a" / "trace.json"), slurp(dir_ / "b" / "trace.json"));
  const auto summary = nlohmann::json::parse(slurp(dir_ / "a" / "summary.json"));
  EXPECT_EQ(summary["mode"], "training");
  EXPECT_GT(summary["chunk_pair_s"].get<double>(), 0);

  std::vector<std::string> compute, comm, second, expect_compute, expect_comm, expect_second;
  auto repeat = [](std::vector<std::string>& v, const std::vector<std::string>& unit) {
    for (int layer = 0; layer < 4; ++layer) v.insert(v.end(), unit.begin(), unit.end());
  };
  repeat(expect_compute, {"attention(F)", "MLP(F)"});
  repeat(expect_compute, {"attention(F)", "MLP(B)", "MLP(W)", "MLP(F)", "attention(B)", "attention(W)"});
  repeat(expect_compute, {"MLP(B)", "MLP(W)", "attention(B)", "attention(W)"});
  repeat(expect_comm, {"dispatch(F)", "combine(F)"});
  repeat(expect_comm, {"combine(B)", "dispatch(F)", "dispatch(B)", "combine(F)"});
  repeat(expect_comm, {"combine(B)", "dispatch(B)"});
  // Half the routed experts' weight gradients run on the second compute stream.
  repeat(expect_second, {"MLP(W)"});
  repeat(expect_second, {"MLP(W)"});
  std::vector<std::pair<double, nlohmann::json>> events;
  const auto trace = nlohmann::json::parse(slurp(dir_ / "a" / "trace.json"));
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == "X") events.push_back({e["ts"].get<double>(), e});
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [ts, e] : events) (e["tid"] == 0 ? compute : e["tid"] == 1 ? comm : second).push_back(e["name"]);
  EXPECT_EQ(compute, expect_compute);
  EXPECT_EQ(comm, expect_comm);
  EXPECT_EQ(second, expect_second);
}

TEST_F(Cli, FidelityAppliesToTrainingOnly) {
  const Result r = v3sim("run " + scenario("1f1b_4x10.json") + " --fidelity full --out " + dir_.string());
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("/fidelity"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "summary.json"));
}

// Probe files in, a profile out (with the per-case table), and a scenario
// can run on it by path.
TEST_F(Cli, CalibrateWritesAProfileAScenarioCanUse) {
  fs::create_directories(dir_);
  v3sim::calibration::testing::Generator g(v3sim::calibration::testing::Truth{}, 0.01, 3);
  std::string inputs;
  for (const auto& [name, doc] : {std::pair{"gemm", g.gemm()}, std::pair{"alltoall", g.alltoall()},
                                  std::pair{"hbm", g.hbm()}, std::pair{"interference", g.interference()}}) {
    std::ofstream(dir_ / (std::string(name) + ".json")) << doc.dump(2);
    inputs += " " + (dir_ / (std::string(name) + ".json")).string();
  }
  const fs::path profile = dir_ / "measured.json";
  const Result r = v3sim("calibrate --inputs" + inputs + " --out " + profile.string() + " --name synthetic-measured");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("held out"), std::string::npos);
  EXPECT_NE(r.output.find("fitted"), std::string::npos);
  const auto doc = nlohmann::json::parse(slurp(profile));
  EXPECT_EQ(doc["name"], "synthetic-measured");
  EXPECT_NEAR(doc["comm_gb_per_s_per_sm"]["value"].get<double>(), 6.0, 0.3);

  const Result run = v3sim("run " + std::string(V3SIM_SOURCE_DIR) + "/scenarios/bench/chunk_pair_ep64.json --set /calibration=" +
                           profile.string() + " --out " + (dir_ / "run").string());
  ASSERT_EQ(run.code, 0) << run.output;
}

TEST_F(Cli, CalibrateRejectsABadProbeFileByLineAndPointer) {
  fs::create_directories(dir_);
  v3sim::calibration::testing::Generator g(v3sim::calibration::testing::Truth{}, 0, 3);
  nlohmann::json doc = g.hbm();
  doc["cases"][2]["bytes"] = -1;
  std::ofstream(dir_ / "hbm.json") << doc.dump(2);
  std::string text = doc.dump(2);
  std::ofstream(dir_ / "cut.json") << text.substr(0, text.size() / 2);
  Result r = v3sim("calibrate --inputs " + (dir_ / "hbm.json").string() + " --out " + (dir_ / "p.json").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("hbm.json:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("/cases/2/bytes"), std::string::npos) << r.output;
  r = v3sim("calibrate --inputs " + (dir_ / "cut.json").string() + " --out " + (dir_ / "p.json").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("cut.json:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("invalid JSON"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "p.json"));
}

// A small study of abstract schedules, one point of which cannot run.
void write_study(const fs::path& dir) {
  fs::create_directories(dir);
  std::ofstream(dir / "base.json") << R"({"schedule": {"kind": "1f1b", "stages": 4, "microbatches": 8},
                                        "op_costs_ms": {"F": 1, "B": 2, "W": 1}})";
  std::ofstream(dir / "study.json") << R"({"name": "t", "base": "base.json",
    "axes": [{"pointer": "/schedule/kind", "values": ["1f1b", "zb1p", "dualpipe"]},
             {"pointer": "/schedule/stages", "values": [3, 4, 8]},
             {"pointer": "/schedule/microbatches", "range": {"start": 16, "stop": 48, "step": 16}}],
    "fields": ["/step_time_ms", "/bubble_fraction"]})";
}

TEST_F(Cli, SweepThreadedAndResumedGiveTheSequentialBytes) {
  write_study(dir_);
  const std::string study = (dir_ / "study.json").string();
  ASSERT_EQ(v3sim("sweep " + study + " --quiet --jobs 1 --out " + (dir_ / "seq").string()).code, 0);
  ASSERT_EQ(v3sim("sweep " + study + " --quiet --jobs 2 --out " + (dir_ / "par").string()).code, 0);
  const Result cut = v3sim("sweep " + study + " --quiet --jobs 2 --max-points 7 --out " + (dir_ / "res").string());
  ASSERT_EQ(cut.code, 0) << cut.output;
  EXPECT_NE(cut.output.find("--resume"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "res" / "results.csv"));
  ASSERT_EQ(v3sim("sweep " + study + " --quiet --resume --out " + (dir_ / "res").string()).code, 0);
  for (const char* f : {"results.csv", "results.json", "report.html"}) {
    EXPECT_EQ(slurp(dir_ / "seq" / f), slurp(dir_ / "par" / f)) << f;
    EXPECT_EQ(slurp(dir_ / "seq" / f), slurp(dir_ / "res" / f)) << f;
  }
  // 27 points; DualPipe on 3 stages cannot run (it needs an even count): recorded, not fatal.
  const auto results = nlohmann::json::parse(slurp(dir_ / "seq" / "results.json"));
  ASSERT_EQ(results["points"].size(), 27u);
  int failed = 0;
  for (const auto& p : results["points"]) failed += p["status"] == "failed";
  EXPECT_EQ(failed, 3);
  EXPECT_EQ(results["points"][18]["status"], "failed");
  EXPECT_NE(results["points"][18]["error"].get<std::string>().find("stages"), std::string::npos);
  // 1F1B, 4 stages, 16 micro-batches: (16 + 3) x (1 + 2) ms.
  EXPECT_DOUBLE_EQ(results["points"][3]["fields"][0].get<double>(), 57.0);
}

TEST_F(Cli, SweepErrorsNameTheStudyFileAndAxis) {
  write_study(dir_);
  std::ofstream(dir_ / "bad.json") << R"({"base": "base.json",
    "axes": [{"pointer": "/cluster/nodes", "values": [1, 2]}],
    "fields": ["/step_time_ms"]})";
  const Result r = v3sim("sweep " + (dir_ / "bad.json").string() + " --out " + (dir_ / "o").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("bad.json:2: /axes/0/pointer"), std::string::npos) << r.output;
}

// The published worked example (PP 8, 20 micro-batches, F 1, B 2, W 1,
// F&B 3): 1F1B 81, ZB1P 67, DualPipe 66, side by side.
TEST_F(Cli, CompareTabulatesTheWorkedExample) {
  const Result r = v3sim("compare " + scenario("dualpipe_8x20.json") +
                         " --schedules 1f1b,zb1p,dualpipe --set /op_costs_ms/FB=3 --csv --out " + dir_.string());
  ASSERT_EQ(r.code, 0) << r.output;
  // compare.csv's columns in the table's order.
  const std::string csv = slurp(dir_ / "compare.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "schedule,step time (s),bubble fraction,max bubble (s),peak activation chunks per rank,parameter copies per rank");
  const auto doc = nlohmann::json::parse(slurp(dir_ / "compare.json"));
  ASSERT_EQ(doc["schedules"].size(), 3u);
  EXPECT_DOUBLE_EQ(doc["schedules"][0]["step_time_s"].get<double>(), 0.081);
  EXPECT_DOUBLE_EQ(doc["schedules"][1]["step_time_s"].get<double>(), 0.067);
  EXPECT_DOUBLE_EQ(doc["schedules"][2]["step_time_s"].get<double>(), 0.066);
  EXPECT_EQ(doc["schedules"][2]["parameter_copies_per_rank"], 2);
  const std::string html = slurp(dir_ / "compare.html");
  std::size_t svgs = 0;
  for (std::size_t at = html.find("<svg class=\"tl\""); at != std::string::npos; at = html.find("<svg class=\"tl\"", at + 1)) ++svgs;
  EXPECT_EQ(svgs, 3u);  // one timeline per schedule
}

// Every shipped scenario validates, and every shipped study expands.
TEST_F(Cli, EveryShippedFileValidates) {
  const fs::path root = fs::path(V3SIM_SOURCE_DIR) / "scenarios";
  int scenarios = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".json") continue;
    // A HuggingFace model config (scenarios/models/), validated through the scenarios naming it.
    if (e.path().filename() == "config.json") continue;
    const bool study = e.path().parent_path() == root / "studies";
    if (study) {
      std::ifstream in(e.path());
      const auto doc = nlohmann::json::parse(in);
      const auto s = v3sim::models::parse_study(doc);
      std::ifstream base_in(e.path().parent_path() / s.base);
      EXPECT_FALSE(v3sim::models::expand_study(s, nlohmann::json::parse(base_in)).empty()) << e.path();
      continue;
    }
    const Result r = v3sim("validate " + e.path().string());
    EXPECT_EQ(r.code, 0) << e.path() << "\n" << r.output;
    ++scenarios;
  }
  EXPECT_GT(scenarios, 15);
}

TEST_F(Cli, EveryShippedScenarioValidatesAndRuns) {
  for (const auto& entry : fs::directory_iterator(std::string(V3SIM_SOURCE_DIR) + "/scenarios/abstract")) {
    const Result r = v3sim("run " + entry.path().string() + " --out " + (dir_ / entry.path().stem()).string());
    EXPECT_EQ(r.code, 0) << entry.path() << "\n" << r.output;
  }
}

}  // namespace

namespace v3sim {
namespace {

// calibrate --trace and compare-trace end to end: the fitted profile
// reproduces the shipped one; a broken trace is exit 2 naming the file.
class CliTrace : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("v3sim_cli_trace_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::pair<int, std::string> run(const std::string& args) {
    const std::string out = (dir_ / "stdout.txt").string();
    const int status = std::system((std::string(V3SIM_BINARY) + " " + args + " > " + out + " 2>&1").c_str());
    std::ifstream in(out);
    std::stringstream ss;
    ss << in.rdbuf();
    return {WEXITSTATUS(status), ss.str()};
  }
  std::filesystem::path dir_;
};

TEST_F(CliTrace, CalibrateReproducesTheShippedFitAndCompareWritesItsFiles) {
  const std::string root = V3SIM_SOURCE_DIR;
  // The figures the project keeps of DeepSeek's trace fit as the trace itself.
  const std::string trace = root + "/calibration/reference/deepseek_v3_chunk_pair_trace.json";
  const std::string pair = root + "/scenarios/bench/chunk_pair_ep64.json";
  const auto [code, output] = run("calibrate --trace " + trace + " --scenario " + pair + " --out " +
                                  (dir_ / "p.json").string());
  ASSERT_EQ(code, 0) << output;
  EXPECT_NE(output.find("gemm_wgrad"), std::string::npos);
  std::ifstream fitted(dir_ / "p.json"), shipped(root + "/calibration/profiles/h800-published.json");
  const auto a = nlohmann::json::parse(fitted), b = nlohmann::json::parse(shipped);
  EXPECT_EQ(a["kernel_classes"].size(), b["kernel_classes"].size());
  for (const auto& [cls, v] : b["kernel_classes"].items())
    for (const char* key : {"gb_per_s", "launch_us", "time_scale"})
      if (v.contains(key)) {
        EXPECT_NEAR(a["kernel_classes"][cls][key].get<double>(), v[key].get<double>(), 1e-6) << cls;
      }
  const auto [c2, out2] = run("compare-trace " + pair + " " + trace + " --out " + (dir_ / "cmp").string());
  ASSERT_EQ(c2, 0) << out2;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "cmp" / "compare.json"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "cmp" / "compare.html"));
}

TEST_F(CliTrace, BrokenTraceIsExitTwoNamingTheFile) {
  const std::string root = V3SIM_SOURCE_DIR;
  const std::string pair = root + "/scenarios/bench/chunk_pair_ep64.json";
  const std::string broken = (dir_ / "broken.json").string();
  std::ofstream(broken) << "{\"traceEvents\": [";
  const auto [code, output] = run("compare-trace " + pair + " " + broken + " --out " + (dir_ / "cmp").string());
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find("broken.json"), std::string::npos) << output;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "cmp"));
  const auto [c2, o2] = run("calibrate --trace " + broken + " --out " + (dir_ / "p.json").string());
  EXPECT_EQ(c2, 2) << o2;
  EXPECT_NE(o2.find("--scenario"), std::string::npos) << o2;
}

}  // namespace
}  // namespace v3sim
