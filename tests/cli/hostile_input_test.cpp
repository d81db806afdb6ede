// End-to-end: each class of hostile input a user found is a clear exit 2
// naming the file, line and pointer, with nothing written; never a crash, a
// hang, an internal error or an exit 0 with nonsense.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "tests/cli/cli_helpers.hpp"

namespace {


const std::string kTraining = std::string(V3SIM_SOURCE_DIR) + "/scenarios/deepseek_v3_pretrain_2048xh800.json";

class Hostile : public Cli {
 protected:
  std::string file(const std::string& name, const std::string& text) {
    fs::create_directories(dir_);
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return (dir_ / name).string();
  }
  // Exit 2, one line holding every `needle`, and no output directory.
  void expect_rejected(const std::string& args, std::initializer_list<std::string> needles) {
    const bool writes = args.rfind("run", 0) == 0 || args.rfind("sweep", 0) == 0;
    const Result r = v3sim(args + (writes ? " --out " + (dir_ / "out").string() : ""));
    EXPECT_EQ(r.code, 2) << args << "\n" << r.output;
    for (const std::string& n : needles) EXPECT_NE(r.output.find(n), std::string::npos) << n << " in\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_FALSE(fs::exists(dir_ / "out"));
  }
};

const char* kAbstract = R"({"schedule": {"kind": "1f1b", "stages": 4, "microbatches": 10},
 "op_costs_ms": {"F": 1, "B": 2, "W": 1}})";

TEST_F(Hostile, NumberBeyondADouble) {
  const std::string f = file("s.json", "{\"schedule\": {\"kind\": \"1f1b\", \"stages\": 4, \"microbatches\": 10},\n"
                                       " \"op_costs_ms\": {\"F\": 1e400, \"B\": 2}}");
  expect_rejected("run " + f, {"s.json:2:", "1e400"});
}

TEST_F(Hostile, DuplicateKeysNameBothLines) {
  const std::string f = file("s.json", "{\"schedule\": {\"kind\": \"1f1b\", \"stages\": 4, \"microbatches\": 10},\n"
                                       " \"op_costs_ms\": {\"F\": 1, \"B\": 2},\n \"op_costs_ms\": {\"F\": 2, \"B\": 4}}");
  expect_rejected("validate " + f, {"s.json:3:", "duplicate key 'op_costs_ms'", "first on line 2"});
}

TEST_F(Hostile, CrOnlyLineEndingsCountLines) {
  std::string text = kAbstract;
  std::replace(text.begin(), text.end(), '\n', '\r');
  text.replace(text.find("\"B\": 2"), 6, "\"B\": -2");
  expect_rejected("run " + file("s.json", text), {"s.json:2: /op_costs_ms/B"});
}

TEST_F(Hostile, GpuAndBatchProductsThatPassAnInt) {
  // 10^6 nodes of 10^5 GPUs: 10^11 GPUs.
  expect_rejected("validate " + kTraining + " --set /cluster/nodes=1000000 --set /cluster/overrides/gpus_per_nvlink_domain=100000",
                  {"/cluster/nodes", "2^24"});
  // dp 2048 x micro-batch 2^20 = 2^31.
  expect_rejected("validate " + kTraining + " --set /parallelism/pp=1 --set /parallelism/ep=1 --set /training/micro_batch=1048576",
                  {"/training/global_batch", "2147483648"});
}

TEST_F(Hostile, TimePastTheClockOrBelowItsResolution) {
  // 10^6 micro-batches of 10^9 ms on 4 stages: about 10^15 s.
  std::string big = kAbstract;
  big.replace(big.find("10}"), 3, "1000000}");
  big.replace(big.find("\"F\": 1, \"B\": 2, \"W\": 1"), 22, "\"F\": 1e9, \"B\": 1e9, \"W\": 1");
  expect_rejected("run " + file("big.json", big), {"big.json", "clock"});
  std::string tiny = kAbstract;
  tiny.replace(tiny.find("\"F\": 1,"), 7, "\"F\": 1e-9,");
  expect_rejected("run " + file("tiny.json", tiny), {"tiny.json:2: /op_costs_ms/F", "resolution"});
}

TEST_F(Hostile, DocumentedChecksRunAndValidateAgreesWithRun) {
  std::string layers = kAbstract;
  layers.replace(layers.find("10}"), 3, "10, \"layers\": 10}");
  expect_rejected("validate " + file("l.json", layers), {"l.json:1: /schedule/layers", "divisible"});
  // More pipeline parts than layers: named, not an internal error.
  expect_rejected("run " + kTraining + " --set /model_overrides/layers=8 --set /model_overrides/dense_layers=1",
                  {"/parallelism/pp", "16 parts", "9 layers"});
  // What run rejects, validate rejects.
  expect_rejected("validate " + kTraining + " --set /overlap/comm_sms=500", {"/overlap/comm_sms", "132 SMs"});
}

TEST_F(Hostile, SizesThatWouldExhaustMemoryStopBeforeBuilding) {
  expect_rejected("run " + kTraining + " --set /training/global_batch=1073741824", {"/training/global_batch", "--no-size-limits"});
  expect_rejected("run " + kTraining + " --set /model_overrides/layers=16777216", {"/model_overrides/layers", "limit"});
  expect_rejected("validate " + kTraining + " --set /cluster/nodes=1000000 --set /cluster/fabric/kind=three_layer_fat_tree --set /parallelism/ep=1 --set /training/global_batch=32000000",
                  {"/cluster/nodes", "8000000 GPUs"});
  // Ten million points are refused before any is built.
  file("base.json", kAbstract);
  const std::string study = file("big.json", R"({"base": "base.json", "axes": [
    {"pointer": "/schedule/microbatches", "range": {"start": 1, "stop": 10000, "step": 1}},
    {"pointer": "/op_costs_ms/F", "range": {"start": 1, "stop": 1000, "step": 1}}],
    "fields": ["/step_time_ms"]})");
  expect_rejected("sweep " + study, {"big.json:1: /axes", "10000000 points"});
}

TEST_F(Hostile, DeepNestingIsBounded) {
  const std::string deep = std::string(100000, '[') + "1" + std::string(100000, ']');
  file("base.json", kAbstract);
  const std::string study =
      file("deep.json", "{\"base\": \"base.json\",\n\"axes\": [{\"pointer\": \"/name\", \"values\": [" + deep +
                            "]}], \"fields\": [\"/step_time_ms\"]}");
  expect_rejected("sweep " + study, {"deep.json:2:", "nesting"});
}

TEST_F(Hostile, FilesThatAreNotFiles) {
  fs::create_directories(dir_ / "adir");
  expect_rejected("run " + (dir_ / "adir").string(), {"adir: is a directory"});
  expect_rejected("run " + (dir_ / "missing.json").string(), {"missing.json: cannot read the file: No such file"});
  // --out naming a file: refused, the file kept.
  const std::string s = file("s.json", kAbstract);
  file("taken", "mine");
  const Result r = v3sim("run " + s + " --out " + (dir_ / "taken").string());
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("not a directory"), std::string::npos) << r.output;
  EXPECT_EQ(slurp(dir_ / "taken"), "mine");
  file("base.json", kAbstract);
  const std::string study = file("study.json", R"({"base": "base.json", "axes": [{"pointer": "/schedule/microbatches",
    "values": [8, 16]}], "fields": ["/step_time_ms"]})");
  const Result w = v3sim("sweep " + study + " --quiet --out " + (dir_ / "taken").string());
  EXPECT_EQ(w.code, 2) << w.output;
  EXPECT_NE(w.output.find("not a directory"), std::string::npos) << w.output;
  EXPECT_EQ(slurp(dir_ / "taken"), "mine");
}

// Devices and FIFOs would be read without end.
TEST_F(Hostile, DevicesAndFifosAreNotScenarios) {
  expect_rejected("validate /dev/zero", {"/dev/zero: not a regular file"});
  fs::create_directories(dir_);
  ASSERT_EQ(mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  expect_rejected("run " + (dir_ / "fifo").string(), {"fifo: not a regular file"});
}

// `schedule` has the scenarios' size limit: 10^9 stages, or 128 x 100,000.
TEST_F(Hostile, ScheduleSizesAreBounded) {
  expect_rejected("schedule --kind 1f1b --stages 1000000000 --microbatches 8", {"--microbatches", "ops", "--no-size-limits"});
  expect_rejected("schedule --kind zb1p --stages 128 --microbatches 100000", {"--microbatches", "3.84e+07 ops"});
}

// Output files are UTF-8 whatever the input: a --set string that is not is refused.
TEST_F(Hostile, SetStringsMustBeUtf8) {
  const std::string s = file("s.json", kAbstract);
  expect_rejected("validate " + s + " --set '/name=\"ab\xff\xfe\"'", {"--set", "not valid UTF-8"});
  expect_rejected("run " + s + " --set '/name=\"ab\xff\xfe\"'", {"--set", "not valid UTF-8"});
}

// Duplicate keys among tens of thousands are still found, with both lines.
TEST_F(Hostile, ManyKeysKeepTheirDuplicateCheck) {
  std::string keys;
  for (int i = 0; i < 80000; ++i) keys += "\"k" + std::to_string(i) + "\": 1,\n";
  const std::string f = file("s.json", "{\"name\": \"x\", \"model_overrides\": {\n" + keys + "\"k7\": 2}}");
  expect_rejected("validate " + f, {"s.json:80002:", "duplicate key 'k7'", "first on line 9"});
}

// Expert-load files: the file, its line or pointer, and no library text.
TEST_F(Hostile, ExpertLoadFilesNameTheirFaults) {
  const std::string scenario = std::string(V3SIM_SOURCE_DIR) + "/scenarios/inference/production_prefill_dp32_ep32.json";
  const auto with = [&](const std::string& path) {
    return "validate " + scenario + " --set '/workload/expert_load={\"kind\": \"file\", \"file\": \"" + path + "\"}'";
  };
  std::string row = "[1";
  for (int e = 1; e < 256; ++e) row += ", 1";
  const std::string big = file("big.json", "{\"layers\": [\n" + row + ", 1e400]]}");
  expect_rejected(with(big), {"/workload/expert_load/file", "big.json:2", "out of the range of a double"});
  expect_rejected(with(dir_.string()), {"/workload/expert_load/file", "not a regular file"});
  const std::string extra = file("extra.json", "{\"layers\": [" + row + "]], \"note\": 1}");
  expect_rejected(with(extra), {"extra.json' /note: unknown key"});
  const std::string broken = file("broken.json", "{\"layers\": [\n" + row + ",]]}");
  const Result r = v3sim(with(broken));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("broken.json:2"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("json.exception"), std::string::npos) << r.output;
}

// ZB-H2's (PP-1)(F+B-3W) at F=1, B=2, W=1.5 is -10.5 ms on 8 stages: no
// negative time is reported, only the regime it misses.
TEST_F(Hostile, PublishedBubbleIsNeverNegative) {
  const std::string s = std::string(V3SIM_SOURCE_DIR) + "/scenarios/abstract/zbh2_8x24.json";
  const Result r = v3sim("run " + s + " --set /op_costs_ms/W=1.5 --out " + (dir_ / "out").string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("negative: no time outside its regime"), std::string::npos) << r.output;
  const nlohmann::json b = nlohmann::json::parse(slurp(dir_ / "out" / "summary.json"))["published_bubble"];
  EXPECT_TRUE(b["value_ms"].is_null());
  EXPECT_FALSE(b["regime_met"].get<bool>());
}

TEST_F(Hostile, SetTakesOneValueAndLeavesThePositionalAlone) {
  const std::string s = file("s.json", kAbstract);
  const Result r = v3sim("validate --set /op_costs_ms/F=1.5 " + s);
  EXPECT_EQ(r.code, 0) << r.output;
}

class Sweep : public Hostile {
 protected:
  std::string study(const std::string& axes = R"([{"pointer": "/schedule/microbatches", "values": [8, 16, 24]}])",
                    const std::string& fields = R"(["/step_time_ms"])") {
    file("base.json", kAbstract);
    return file("study.json", "{\"base\": \"base.json\",\n\"axes\": " + axes + ",\n\"fields\": " + fields + "}");
  }
  std::string journal() const { return (dir_ / "out" / ".progress-0.jsonl").string(); }
};

TEST_F(Sweep, PointersThatNameNothingStopBeforeRunning) {
  expect_rejected("sweep " + study(R"([{"pointer": "/schedule/microbatchez", "values": [8, 16]}])"),
                  {"study.json:2: /axes/0/pointer", "microbatchez", "names no field"});
  expect_rejected("sweep " + study(R"([{"pointer": "/schedule/microbatches", "values": [8, 16]}])", R"(["/step_time_sec"])"),
                  {"study.json:3: /fields/0", "/step_time_sec"});
}

TEST_F(Sweep, ResumeRefusesAStaleOrForeignJournal) {
  const std::string s = study();
  const std::string out = " --quiet --out " + (dir_ / "out").string();
  ASSERT_EQ(v3sim("sweep " + s + out + " --max-points 2").code, 0);
  const std::string good = slurp(journal());
  // The base edited since: the journal's key no longer matches.
  std::string base = kAbstract;
  base.replace(base.find("\"F\": 1,"), 7, "\"F\": 2,");
  file("base.json", base);
  Result r = v3sim("sweep " + s + out + " --resume");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find(".progress-0.jsonl:1:"), std::string::npos) << r.output;
  file("base.json", kAbstract);
  // A repeated row, a row of another study, a short row.
  const std::string row = good.substr(good.find('\n') + 1, good.find('\n', good.find('\n') + 1) - good.find('\n'));
  for (const std::string& bad : {row, std::string(R"({"index": 9, "values": [8], "status": "ok", "error": "", "fields": [1]})") + "\n",
                                 std::string(R"({"index": 2, "values": [24], "status": "ok", "error": "", "fields": []})") + "\n",
                                 // a fractional, a huge and a negative index; an unknown key; an unknown status
                                 std::string(R"({"index": 2.5, "values": [24], "status": "ok", "error": "", "fields": [1]})") + "\n",
                                 std::string(R"({"index": 1e30, "values": [24], "status": "ok", "error": "", "fields": [1]})") + "\n",
                                 std::string(R"({"index": -1, "values": [24], "status": "ok", "error": "", "fields": [1]})") + "\n",
                                 std::string(R"({"index": 2, "values": [24], "status": "ok", "error": "", "fields": [1], "x": 1})") + "\n",
                                 std::string(R"({"index": 2, "values": [24], "status": "maybe", "error": "", "fields": [1]})") + "\n"}) {
    std::ofstream(journal(), std::ios::binary) << good << bad << R"({"index": 2, "val)";
    r = v3sim("sweep " + s + out + " --resume");
    EXPECT_EQ(r.code, 2) << bad << r.output;
    EXPECT_NE(r.output.find(".progress-0.jsonl:4:"), std::string::npos) << r.output;
  }
  // The good journal with a torn last line resumes.
  std::ofstream(journal(), std::ios::binary) << good << R"({"index": 2, "val)";
  r = v3sim("sweep " + s + out + " --resume");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(nlohmann::json::parse(slurp(dir_ / "out" / "results.json"))["points"].size(), 3u);
}

// --max-points within [1, 2^40]; compare's --schedules for training and abstract
// scenarios only, its empty entries refused, never eating the next option.
TEST_F(Sweep, CountsAndListsOutOfTheirRange) {
  const std::string s = study();
  expect_rejected("sweep " + s + " --max-points -1", {"--max-points"});
  expect_rejected("sweep " + s + " --max-points 100000000000000000000000", {"--max-points"});
  const std::string inference = std::string(V3SIM_SOURCE_DIR) + "/scenarios/inference/production_prefill_dp32_ep32.json";
  expect_rejected("compare " + inference + " --schedules 1f1b", {"--schedules applies to training and abstract scenarios"});
  const std::string abstract = file("a.json", kAbstract);
  expect_rejected("compare " + abstract + " --schedules ,, --csv", {"--schedules ',,': an empty entry"});
  expect_rejected("compare " + abstract + " --schedules 1f1b,,zb1p", {"an empty entry"});
}

// An unreadable base names the study, its line and /base.
TEST_F(Sweep, AnUnreadableBaseNamesTheStudysLine) {
  const std::string s = file("nobase.json", "{\"name\": \"s\",\n \"base\": \"missing.json\",\n"
                                            " \"axes\": [{\"pointer\": \"/name\", \"values\": [\"a\"]}], \"fields\": [\"/step_time_ms\"]}");
  expect_rejected("validate " + s, {"nobase.json:2: /base: ", "missing.json: cannot read the file"});
  expect_rejected("sweep " + s, {"nobase.json:2: /base: "});
}

TEST_F(Sweep, EveryPointFailingIsNotASuccess) {
  const Result r = v3sim("sweep " + study(R"([{"pointer": "/op_costs_ms/W", "values": [5, 6]}])") + " --quiet --out " +
                         (dir_ / "out").string());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("every point"), std::string::npos) << r.output;
}

}  // namespace

namespace {

class CliSuggest : public Cli {};

TEST_F(CliSuggest, MisspeltCommandsOptionsAndSchedulesAreNamed) {
  Result r = v3sim("rn " + scenario("1f1b_4x10.json"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("unknown command 'rn' (did you mean 'run'?)"), std::string::npos) << r.output;
  r = v3sim("run " + scenario("1f1b_4x10.json") + " --ot " + (dir_ / "o").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("unknown option '--ot' for run (did you mean '--out'?)"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "o"));
  r = v3sim("compare " + scenario("1f1b_4x10.json") + " --schedules 1f1b,dualpipx --out " + (dir_ / "c").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("did you mean 'dualpipe'?"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "c"));
}

TEST_F(CliSuggest, ValidateAcceptsStudies) {
  Result r = v3sim("validate " + std::string(V3SIM_SOURCE_DIR) + "/scenarios/studies/schedules.json");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("48 points over 3 axes"), std::string::npos) << r.output;  // 4 kinds x 3 stage counts x 4 micro-batch counts
  fs::create_directories(dir_);
  std::ofstream(dir_ / "base.json") << R"({"schedule": {"kind": "1f1b", "stages": 4, "microbatches": 8},
    "op_costs_ms": {"F": 1, "B": 2}})";
  std::ofstream(dir_ / "study.json") << R"({"base": "base.json", "axes": [{"pointer": "/schedule/x", "values": [1]}],
    "fields": ["/step_time_ms"]})";
  r = v3sim("validate " + (dir_ / "study.json").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("/axes/0/pointer"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("ok"), std::string::npos) << r.output;
}

}  // namespace
