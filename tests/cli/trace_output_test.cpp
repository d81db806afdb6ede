// The training trace against what the scenario implies: a DeepSeek-V3 step
// with 1F1B over 4 pipeline ranks and 8 micro-batches, on 4 nodes (EP8 in a
// node, 8 data-parallel replicas). Counts are worked by hand from the
// schedule and the layer split, times checked against summary.json.
#include <zlib.h>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"

namespace {

using nlohmann::json;

const std::string kSmallStep =
    std::string(V3SIM_SOURCE_DIR) +
    "/scenarios/deepseek_v3_pretrain_2048xh800.json --set /cluster/nodes=4 --set /parallelism/pp=4 --set /parallelism/ep=8 "
    "--set /schedule/kind=\\\"1f1b\\\" --set /training/global_batch=64 --no-timing";

std::string gunzip(const std::string& bytes) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::string out;
  char buf[65536];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

// stdout alone (the helpers' v3sim() merges stderr in).
std::string v3sim_stdout(const std::string& args) {
  FILE* pipe = popen((std::string(V3SIM_BINARY) + " " + args + " 2>/dev/null").c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  pclose(pipe);
  return out;
}

class TraceOutput : public Cli {
 protected:
  void run_small() {
    const Result r = v3sim("run " + kSmallStep + " --out " + dir_.string());
    ASSERT_EQ(r.code, 0) << r.output;
    summary_ = json::parse(slurp(dir_ / "summary.json"));
    trace_ = json::parse(slurp(dir_ / "trace.json"));
  }
  json summary_, trace_;
};

TEST_F(TraceOutput, TransfersAreSlicesJoinedByFlows) {
  run_small();
  // 1F1B: each of 8 micro-batches crosses 3 stage boundaries forward
  // (activations) and 3 backward (gradients).
  const int transfers = 2 * 3 * 8;
  std::map<std::string, int> phases;
  int sends = 0, arrivals = 0;
  std::map<int, std::pair<double, double>> flow_ends;  // id -> (start ts, end ts)
  for (const json& e : trace_["traceEvents"]) {
    phases[e["ph"]]++;
    if (e["ph"] == "X" && e["cat"] == "p2p") {
      const std::string name = e["name"];
      sends += name.rfind("send ", 0) == 0;
      arrivals += name.rfind("arrived: ", 0) == 0;
      EXPECT_EQ(e["args"]["bytes"], 7168.0 * 4096 * 2) << "a micro-batch's BF16 hidden state";
    }
    if (e["ph"] == "s") flow_ends[e["id"]].first = e["ts"];
    if (e["ph"] == "f") {
      flow_ends[e["id"]].second = e["ts"];
      EXPECT_EQ(e["bp"], "e");
    }
  }
  EXPECT_EQ(sends, transfers);
  EXPECT_EQ(arrivals, transfers);
  EXPECT_EQ(phases["s"], transfers);
  EXPECT_EQ(phases["f"], transfers);
  for (const auto& [id, ends] : flow_ends) EXPECT_LT(ends.first, ends.second) << "flow " << id;
}

TEST_F(TraceOutput, NamesArgsAndLayersFollowTheModel) {
  run_small();
  // 61 layers and one MTP module over 4 parts, the end parts smaller:
  // 15, 16, 16, 15 units; the last part is layers 47..60 and the MTP module.
  std::map<int, std::map<std::string, int>> names;  // rank -> name -> count
  std::set<int> last_layers;
  for (const json& e : trace_["traceEvents"]) {
    if (e["ph"] != "X" || e["cat"] == "p2p" || e["cat"] == "data parallel") continue;
    names[e["pid"]][e["name"]]++;
    const json& a = e["args"];
    for (const char* key : {"op", "microbatch", "lane", "stage", "pass", "sms"}) EXPECT_TRUE(a.contains(key)) << e.dump();
    EXPECT_EQ(a["stage"], e["pid"]) << "1F1B: stage r on rank r";
    if (e["tid"] == 1 && e["cat"] == "MoE layer") {
      EXPECT_GT(a["bytes"].get<double>(), 0) << e.dump();
    }
    if (e["pid"] == 3 && a.contains("layer")) last_layers.insert(a["layer"].get<int>());
  }
  EXPECT_EQ(names[0]["embedding(F)"], 8);
  EXPECT_EQ(names[3]["output head + loss(F)"], 8);
  EXPECT_EQ(names[3]["MTP output head + loss(B)"], 8);
  EXPECT_EQ(names[3]["MTP attention(F)"], 8);
  EXPECT_EQ(names[3]["attention(F)"], 14 * 8);
  EXPECT_EQ(names[0]["attention(F)"], 15 * 8);
  EXPECT_EQ(names[1]["attention(F)"], 16 * 8);
  std::set<int> expect;
  for (int l = 47; l <= 61; ++l) expect.insert(l);
  EXPECT_EQ(last_layers, expect);
}

TEST_F(TraceOutput, EndsWithTheStepAndHoldsTheTail) {
  run_small();
  double last = 0;
  std::map<int, double> tail_us;
  for (const json& e : trace_["traceEvents"]) {
    if (e["ph"] != "X") continue;
    last = std::max(last, e["ts"].get<double>() + e["dur"].get<double>());
    if (e["cat"] == "data parallel") tail_us[e["pid"]] += e["dur"].get<double>();
  }
  EXPECT_NEAR(last, summary_["step_time_s"].get<double>() * 1e6, 0.01);
  ASSERT_EQ(tail_us.size(), 4u);
  for (const auto& [rank, us] : tail_us) EXPECT_NEAR(us, summary_["ranks"][rank]["dp_sync_s"].get<double>() * 1e6, 0.01);
}

TEST_F(TraceOutput, CountersMatchTheSummary) {
  run_small();
  std::map<int, double> peak_activations_gb, peak_compute_sms, peak_comm_sms;
  std::set<std::string> tracks;
  for (const json& e : trace_["traceEvents"]) {
    if (e["ph"] != "C") continue;
    tracks.insert(e["name"]);
    const int pid = e["pid"];
    if (e["name"] == "activation memory (GB = 1e9 B)")
      peak_activations_gb[pid] = std::max(peak_activations_gb[pid], e["args"]["activations"].get<double>());
    if (e["name"] == "SMs in use") {
      peak_compute_sms[pid] = std::max(peak_compute_sms[pid], e["args"]["compute"].get<double>());
      peak_comm_sms[pid] = std::max(peak_comm_sms[pid], e["args"]["comm"].get<double>());
    }
  }
  EXPECT_EQ(tracks.size(), 4u);
  for (int rank = 0; rank < 4; ++rank) {
    // Four significant digits in the trace.
    const double gb = summary_["ranks"][rank]["memory_bytes"]["activations"].get<double>() / 1e9;
    EXPECT_NEAR(peak_activations_gb[rank], gb, gb * 5e-4) << rank;
    EXPECT_EQ(peak_compute_sms[rank], 132 - 20);
    EXPECT_EQ(peak_comm_sms[rank], 20);
  }
}

TEST_F(TraceOutput, MetadataNamesAndOrdersEveryThread) {
  run_small();
  const json& info = trace_["distributedInfo"];
  EXPECT_EQ(info["world_size"], 32);
  EXPECT_EQ(info["pp"], 4);
  EXPECT_EQ(info["dp"], 8);
  EXPECT_EQ(info["ep"], 8);
  std::set<std::pair<int, int>> used, named, sorted;
  for (const json& e : trace_["traceEvents"]) {
    if (e["ph"] == "X") used.insert({e["pid"].get<int>(), e["tid"].get<int>()});
    if (e["ph"] == "M" && e["name"] == "thread_name") named.insert({e["pid"].get<int>(), e["tid"].get<int>()});
    if (e["ph"] == "M" && e["name"] == "thread_sort_index") sorted.insert({e["pid"].get<int>(), e["tid"].get<int>()});
  }
  for (const auto& t : used) {
    EXPECT_TRUE(named.count(t)) << t.first << "/" << t.second;
    EXPECT_TRUE(sorted.count(t)) << t.first << "/" << t.second;
  }
}

TEST_F(TraceOutput, GzipHoldsTheSameTraceAndJsonPrintsTheSummary) {
  run_small();
  const fs::path gz = dir_ / "gz";
  const std::string printed = v3sim_stdout("run " + kSmallStep + " --gzip --json --csv --out " + gz.string());
  EXPECT_EQ(json::parse(printed), summary_);
  EXPECT_FALSE(fs::exists(gz / "trace.json"));
  const std::string packed = slurp(gz / "trace.json.gz");
  ASSERT_GT(packed.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);
  EXPECT_EQ(gunzip(packed), slurp(dir_ / "trace.json"));
  const std::string csv = slurp(gz / "summary.csv");
  EXPECT_EQ(csv.rfind("field,value,pointer\n", 0), 0u);
  EXPECT_NE(csv.find("\nstep time (s),"), std::string::npos) << csv.substr(0, 400);
  EXPECT_NE(csv.find(",/ranks/3/memory_bytes/total\n"), std::string::npos);
}

// Chrome DevTools' trace engine parses the trace into every slice and flow.
// Skips only where the engine is not installed (scripts/test.sh installs it
// with npm into build/trace-engine).
TEST_F(TraceOutput, ChromeTraceEngineLoadsIt) {
  const fs::path engine = fs::path(V3SIM_SOURCE_DIR) / "build/trace-engine/node_modules/@paulirish/trace_engine";
  if (!fs::exists(engine / "models/trace/trace.js") || std::system("node --version >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "no trace engine at " << engine << " (scripts/install-trace-engine.sh) or no node";
  run_small();
  int slices = 0;
  std::set<std::pair<int, int>> threads;
  for (const json& e : trace_["traceEvents"])
    if (e["ph"] == "X") {
      ++slices;
      threads.insert({e["pid"].get<int>(), e["tid"].get<int>()});
    }
  const std::string script = std::string(V3SIM_SOURCE_DIR) + "/tests/trace_engine/check_trace.mjs";
  FILE* pipe = popen(("node " + script + " " + engine.string() + " " + (dir_ / "trace.json").string() + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  ASSERT_EQ(pclose(pipe), 0) << out;
  const json seen = json::parse(out);
  EXPECT_EQ(seen["processes"], 4);
  EXPECT_EQ(seen["threads"], static_cast<int>(threads.size()));
  EXPECT_EQ(seen["slices"], slices);
  EXPECT_EQ(seen["flows"], 2 * 3 * 8);
}

}  // namespace
