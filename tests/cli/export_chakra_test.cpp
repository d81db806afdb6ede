// v3sim export-chakra end to end: the files read back with the generated
// Chakra classes (length-delimited, as Chakra's decodeMessage reads them),
// held against counts derived by hand from the schedule and the model,
// against the summary `run` writes for the same scenario, and against the
// rules an ASTRA-sim run depends on (tests/report/chakra_rules.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "cli_helpers.hpp"
#include "report/chakra/chakra_stream.hpp"
#include "tests/report/chakra_rules.hpp"

namespace {

using ChakraProtoMsg::Node;
using v3sim::report::ChakraTrace;

// Mixtral-8x7B on 16 H800s: PP2 1F1B, EP8 over the 8 data-parallel replicas
// of a stage; 32 sequences over dp 8 make 4 micro-batches per pipeline.
// NPUs 0-7 are stage 0, 8-15 stage 1.
const std::string kMixtral = std::string(V3SIM_SOURCE_DIR) + "/scenarios/models/mixtral_8x7b_pretrain_16xh800.json";
const std::string kFourMicrobatches = " --set /training/global_batch=32";
const std::string kPrefix = "mixtral_8x7b_pretrain_16xh800";

const ChakraProtoMsg::AttributeProto* find_attr(const google::protobuf::RepeatedPtrField<ChakraProtoMsg::AttributeProto>& attrs,
                                                const std::string& name) {
  for (const auto& a : attrs)
    if (a.name() == name) return &a;
  return nullptr;
}
std::int64_t int_attr(const Node& n, const std::string& name) {
  const auto* a = find_attr(n.attr(), name);
  if (a == nullptr) return -1;
  return a->has_int64_val() ? a->int64_val() : a->int32_val();
}
std::string str_attr(const Node& n, const std::string& name) {
  const auto* a = find_attr(n.attr(), name);
  return a == nullptr ? "" : a->string_val();
}
std::int64_t meta_int(const ChakraTrace& t, const std::string& name) {
  const auto* a = find_attr(t.metadata.attr(), name);
  return a == nullptr ? -1 : a->int64_val();
}
bool is_pipeline_compute(const Node& n) {
  return n.type() == ChakraProtoMsg::COMP_NODE && (str_attr(n, "stream") == "compute" || str_attr(n, "stream") == "compute 2");
}

std::vector<ChakraTrace> read_traces(const fs::path& dir, int expected) {
  std::vector<ChakraTrace> t;
  for (int npu = 0; npu < expected; ++npu)
    t.push_back(v3sim::report::decode_chakra_trace(slurp(dir / (kPrefix + "." + std::to_string(npu) + ".et"))));
  return t;
}

// The rules of an ASTRA-sim run over every file of an export.
void expect_runnable(const fs::path& dir, int npus) {
  v3sim::test::ChakraRules rules(nlohmann::json::parse(slurp(dir / "comm_groups.json")));
  for (int npu = 0; npu < npus; ++npu) rules.add(npu, slurp(dir / (kPrefix + "." + std::to_string(npu) + ".et")));
  rules.finish(npus);
}

// Every dependency names a node of the same file listed before it (the
// exporter's topological order), so the graph is acyclic; checked again by
// a depth-first search that does not rely on the order.
void expect_well_formed(const ChakraTrace& t) {
  std::map<std::uint64_t, const Node*> by_id;
  for (std::size_t i = 0; i < t.nodes.size(); ++i) {
    EXPECT_EQ(t.nodes[i].id(), i);
    by_id[t.nodes[i].id()] = &t.nodes[i];
  }
  for (const Node& n : t.nodes)
    for (const auto& deps : {n.ctrl_deps(), n.data_deps()})
      for (std::uint64_t d : deps) {
        EXPECT_TRUE(by_id.count(d)) << n.name() << " depends on missing node " << d;
        EXPECT_LT(d, n.id()) << n.name();
      }
  std::map<std::uint64_t, int> state;  // 1 on the stack, 2 done
  bool cycle = false;
  std::function<void(std::uint64_t)> visit = [&](std::uint64_t id) {
    state[id] = 1;
    const Node& n = *by_id.at(id);
    for (const auto& deps : {n.ctrl_deps(), n.data_deps()})
      for (std::uint64_t d : deps) {
        if (!by_id.count(d)) continue;
        if (state[d] == 1) cycle = true;
        if (state[d] == 0) visit(d);
      }
    state[id] = 2;
  };
  for (const Node& n : t.nodes)
    if (state[n.id()] == 0) visit(n.id());
  EXPECT_FALSE(cycle);
}

// Sends of each NPU are the receives of its peer: same source, destination,
// tag and size, each tag once between two NPUs.
void expect_matched_transfers(const std::vector<ChakraTrace>& traces) {
  using Key = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>;
  std::multiset<Key> sends, recvs;
  for (std::size_t rank = 0; rank < traces.size(); ++rank)
    for (const Node& n : traces[rank].nodes) {
      const Key k{int_attr(n, "comm_src"), int_attr(n, "comm_dst"), int_attr(n, "comm_tag"), int_attr(n, "comm_size")};
      if (n.type() == ChakraProtoMsg::COMM_SEND_NODE) {
        EXPECT_EQ(std::get<0>(k), static_cast<std::int64_t>(rank));
        sends.insert(k);
      }
      if (n.type() == ChakraProtoMsg::COMM_RECV_NODE) {
        EXPECT_EQ(std::get<1>(k), static_cast<std::int64_t>(rank));
        recvs.insert(k);
      }
    }
  EXPECT_EQ(sends, recvs);
  std::set<std::tuple<std::int64_t, std::int64_t, std::int64_t>> tags;
  for (const Key& k : sends)
    EXPECT_TRUE(tags.insert({std::get<0>(k), std::get<1>(k), std::get<2>(k)}).second) << "tag " << std::get<2>(k) << " reused";
}

// The compute an NPU runs one op at a time, as ASTRA-sim does, in µs: the sum
// of its compute nodes' durations.
double serial_compute_us(const ChakraTrace& t) {
  double total = 0;
  for (const Node& n : t.nodes)
    if (is_pipeline_compute(n)) total += static_cast<double>(n.duration_micros());
  return total;
}

// The CLI tests' fixture (a fresh directory per test), under this file's name.
class ExportChakra : public Cli {};

TEST_F(ExportChakra, RoundTripsOneFOneB) {
  const Result r = v3sim("export-chakra " + kMixtral + kFourMicrobatches + " --out " + (dir_ / "et").string());
  ASSERT_EQ(r.code, 0) << r.output;
  const Result run = v3sim("run " + kMixtral + kFourMicrobatches + " --no-timing --out " + (dir_ / "run").string());
  ASSERT_EQ(run.code, 0) << run.output;
  const auto summary = nlohmann::json::parse(slurp(dir_ / "run" / "summary.json"));

  // One file per GPU, ASTRA-sim's configs, and the set's manifest.
  std::set<std::string> names, expected{"comm_groups.json", "system.json", "network.yml", "remote_memory.json",
                                        "run-astra-sim.sh", ".v3sim-set.json"};
  for (const auto& e : fs::directory_iterator(dir_ / "et")) names.insert(e.path().filename().string());
  for (int npu = 0; npu < 16; ++npu) expected.insert(kPrefix + "." + std::to_string(npu) + ".et");
  EXPECT_EQ(names, expected);
  const std::vector<ChakraTrace> traces = read_traces(dir_ / "et", 16);
  expect_runnable(dir_ / "et", 16);
  // Groups by hand: per stage one expert group and one data-parallel group,
  // both the stage's 8 GPUs (ep = dp = 8).
  const auto groups = nlohmann::json::parse(slurp(dir_ / "et" / "comm_groups.json"));
  EXPECT_EQ(groups.size(), 4u);
  for (const auto& [id, members] : groups.items())
    EXPECT_TRUE(members == nlohmann::json({0, 1, 2, 3, 4, 5, 6, 7}) || members == nlohmann::json({8, 9, 10, 11, 12, 13, 14, 15}))
        << id << ": " << members;
  // The network: 8 GPUs a node at the H800's achievable NVLink rate, 2 nodes
  // at its NIC's (models/presets/hardware.json: 160 and 43.5 GB/s).
  const std::string network = slurp(dir_ / "et" / "network.yml");
  EXPECT_NE(network.find("npus_count: [ 8, 2 ]"), std::string::npos) << network;
  EXPECT_NE(network.find("bandwidth: [ 160.0, 43.5 ]"), std::string::npos) << network;
  EXPECT_NE(slurp(dir_ / "et" / "run-astra-sim.sh").find("--workload-configuration=./" + kPrefix + " "), std::string::npos);
  // The wire format by hand: a base-128 varint length, then that many bytes
  // of GlobalMetadata (Chakra's encodeMessage).
  {
    const std::string bytes = slurp(dir_ / "et" / (kPrefix + ".0.et"));
    std::size_t length = 0, at = 0;
    for (int shift = 0; at < bytes.size(); shift += 7) {
      const auto b = static_cast<unsigned char>(bytes[at++]);
      length |= static_cast<std::size_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    ChakraProtoMsg::GlobalMetadata m;
    ASSERT_TRUE(m.ParseFromString(bytes.substr(at, length)));
    EXPECT_EQ(m.version(), "0.0.4");
    EXPECT_EQ(length, traces[0].metadata.ByteSizeLong());
  }

  // Mixtral: 32 MoE layers, 16 per stage; rank 0 also holds the embedding,
  // rank 1 the output head. 1F1B with 4 micro-batches: 4 F and 4 B per rank.
  // Compute components: an MoE layer's F runs attention and MLP (2), its B
  // their input and weight gradients (4); the embedding is one kernel forward
  // and one (its weight gradient) backward; the head one forward and two
  // backward (input and weight gradients). Plus the optimizer step.
  const int layers = 16, m = 4;
  const int compute[2] = {m * (1 + 2 * layers) + m * (4 * layers + 1), m * (2 * layers + 1) + m * (4 * layers + 2)};
  for (int npu : {0, 5, 8, 15}) {
    const int rank = npu / 8;
    const ChakraTrace& t = traces[static_cast<std::size_t>(npu)];
    SCOPED_TRACE("NPU " + std::to_string(npu));
    EXPECT_EQ(t.metadata.version(), "0.0.4");
    EXPECT_EQ(meta_int(t, "npu"), npu);
    EXPECT_EQ(meta_int(t, "stage"), rank);
    EXPECT_EQ(meta_int(t, "position"), npu % 8);
    EXPECT_EQ(meta_int(t, "pp"), 2);
    EXPECT_EQ(meta_int(t, "dp"), 8);  // 16 GPUs / (pp 2 x tp 1)
    EXPECT_EQ(meta_int(t, "replicas"), 8);
    EXPECT_EQ(meta_int(t, "ep"), 8);
    EXPECT_EQ(meta_int(t, "tp"), 1);
    int pipeline_compute = 0, optimizer = 0, all_to_all = 0, sends = 0, recvs = 0, reduce_scatter = 0, all_gather = 0;
    std::int64_t rs_bytes = 0, ag_bytes = 0;
    std::uint64_t tail_us = 0;
    for (const Node& n : t.nodes) {
      pipeline_compute += is_pipeline_compute(n);
      if (n.type() == ChakraProtoMsg::COMP_NODE && n.name() == "optimizer step") ++optimizer;
      sends += n.type() == ChakraProtoMsg::COMM_SEND_NODE;
      recvs += n.type() == ChakraProtoMsg::COMM_RECV_NODE;
      if (str_attr(n, "stream") == "tail") tail_us += n.duration_micros();
      if (n.type() != ChakraProtoMsg::COMM_COLL_NODE) continue;
      const std::int64_t type = int_attr(n, "comm_type"), size = int_attr(n, "comm_size");
      if (type == ChakraProtoMsg::ALL_TO_ALL) {
        ++all_to_all;
        EXPECT_EQ(int_attr(n, "comm_group_size"), 8);
        // 4096 tokens x top-2, each token as FP8 (4096 B + an FP32 scale per
        // 128 channels) towards the experts forward and for the gradients
        // (combine's backward), BF16 otherwise.
        const bool fp8 = n.name().find("dispatch(F)") != std::string::npos || n.name().find("combine(B)") != std::string::npos;
        EXPECT_EQ(size, 4096 * 2 * (fp8 ? 4096 + 4096 / 128 * 4 : 2 * 4096)) << n.name();
      }
      if (type == ChakraProtoMsg::REDUCE_SCATTER) ++reduce_scatter, rs_bytes = size;
      if (type == ChakraProtoMsg::ALL_GATHER) ++all_gather, ag_bytes = size;
    }
    EXPECT_EQ(pipeline_compute, compute[rank]);
    EXPECT_EQ(optimizer, 1);
    // Dispatch and combine per MoE layer in every F and every B.
    EXPECT_EQ(all_to_all, 2 * m * 2 * layers);
    // One boundary: every micro-batch's activation goes down, its gradient up.
    EXPECT_EQ(sends, m);
    EXPECT_EQ(recvs, m);
    // Dense gradients reduced over dp 8 in FP32 (each member's whole input),
    // parameters gathered in BF16 (each member's eighth); the routed experts
    // have one replica per EP group of 8: nothing to reduce.
    EXPECT_EQ(reduce_scatter, 1);
    EXPECT_EQ(all_gather, 1);
    EXPECT_GT(rs_bytes, 0);
    EXPECT_NEAR(static_cast<double>(rs_bytes), 2.0 * 8 * static_cast<double>(ag_bytes), 16);
    expect_well_formed(t);

    // Run one at a time, as ASTRA-sim runs them, the compute nodes take the
    // summary's compute time (the union of the streams' busy intervals),
    // within the rounding of every node to whole microseconds; the tail's
    // nodes add up to its time.
    const auto& sr = summary["ranks"][static_cast<std::size_t>(rank)];
    EXPECT_NEAR(serial_compute_us(t), sr["compute_s"].get<double>() * 1e6, 0.5 * compute[rank] + 1);
    EXPECT_NEAR(static_cast<double>(tail_us), sr["dp_sync_s"].get<double>() * 1e6, 2);
  }
  expect_matched_transfers(traces);
  // Every send waits for the kernel that produced what it carries.
  for (const ChakraTrace& t : traces)
    for (const Node& n : t.nodes)
      if (n.type() == ChakraProtoMsg::COMM_SEND_NODE) {
        EXPECT_EQ(n.data_deps_size(), 1) << n.name();
      }
  // Reruns write the same bytes.
  ASSERT_EQ(v3sim("export-chakra " + kMixtral + kFourMicrobatches + " --out " + (dir_ / "again").string()).code, 0);
  EXPECT_EQ(slurp(dir_ / "et" / (kPrefix + ".9.et")), slurp(dir_ / "again" / (kPrefix + ".9.et")));
  EXPECT_EQ(slurp(dir_ / "et" / "comm_groups.json"), slurp(dir_ / "again" / "comm_groups.json"));
}

// DualPipe's bidirectional program: both lanes' transfers in both directions
// between the two ranks, overlapped pairs, and the mirrored gradient sum.
TEST_F(ExportChakra, DualPipe) {
  const Result r = v3sim("export-chakra " + kMixtral + kFourMicrobatches + " --set /schedule/kind=dualpipe --out " +
                         (dir_ / "et").string());
  ASSERT_EQ(r.code, 0) << r.output;
  const std::vector<ChakraTrace> traces = read_traces(dir_ / "et", 16);
  expect_runnable(dir_ / "et", 16);
  // DualPipe's mirrored pairs: NPU p of stage 0 with NPU p of stage 1.
  const auto groups = nlohmann::json::parse(slurp(dir_ / "et" / "comm_groups.json"));
  for (int p = 0; p < 8; ++p) {
    int found = 0;
    for (const auto& [id, members] : groups.items()) found += members == nlohmann::json({p, p + 8});
    EXPECT_EQ(found, 1) << p;
  }
  for (const ChakraTrace& t : traces) {
    expect_well_formed(t);
    int mirror = 0, pairs = 0, sends = 0, recvs = 0;
    for (const Node& n : t.nodes) {
      mirror += n.type() == ChakraProtoMsg::COMM_COLL_NODE && int_attr(n, "comm_type") == ChakraProtoMsg::ALL_REDUCE &&
                str_attr(n, "comm_group") == "mirror";
      pairs += n.name().rfind("[", 0) == 0;
      sends += n.type() == ChakraProtoMsg::COMM_SEND_NODE;
      recvs += n.type() == ChakraProtoMsg::COMM_RECV_NODE;
    }
    EXPECT_EQ(mirror, 1);
    EXPECT_GT(pairs, 0);
    // Two lanes of 2 micro-batches each cross the one boundary both ways:
    // 4 activations and 4 gradients, half of each sent by each rank.
    EXPECT_EQ(sends, 4);
    EXPECT_EQ(recvs, 4);
  }
  expect_matched_transfers(traces);
}

// With EP4 over dp 8 each routed expert has 2 replicas: its gradients are
// reduced and its parameters gathered too, beside the dense ones.
TEST_F(ExportChakra, RoutedExpertCollectivesRunBesideTheDenseOnes) {
  const Result r = v3sim("export-chakra " + kMixtral + kFourMicrobatches + " --set /parallelism/ep=4 --out " +
                         (dir_ / "et").string());
  ASSERT_EQ(r.code, 0) << r.output;
  expect_runnable(dir_ / "et", 16);
  for (const ChakraTrace& t : read_traces(dir_ / "et", 16)) {
    expect_well_formed(t);
    std::map<std::string, std::int64_t> bytes;  // collective name -> comm_size
    std::map<std::string, std::uint64_t> id;
    for (const Node& n : t.nodes)
      if (str_attr(n, "stream") == "tail" || str_attr(n, "stream") == "tail 2") {
        bytes[n.name()] = int_attr(n, "comm_size");
        id[n.name()] = n.id();
        if (n.name().find("routed") != std::string::npos) {
          EXPECT_EQ(str_attr(n, "stream"), "tail 2");
          EXPECT_EQ(int_attr(n, "comm_group_size"), 2);
        }
      }
    ASSERT_EQ(bytes.size(), 5u);  // two reduce-scatters, the optimizer, two all-gathers
    // Each member gathers its half of the routed experts' BF16 parameters
    // and reduces all their FP32 gradients.
    EXPECT_NEAR(bytes["reduce-scatter of routed-expert gradients"], 2 * 2 * bytes["all-gather of routed-expert parameters"], 4);
    EXPECT_GT(bytes["reduce-scatter of routed-expert gradients"], bytes["reduce-scatter of dense gradients"]);
    // The optimizer waits for both reduce-scatters.
    const Node& opt = t.nodes[id["optimizer step"]];
    std::set<std::uint64_t> deps(opt.ctrl_deps().begin(), opt.ctrl_deps().end());
    deps.insert(opt.data_deps().begin(), opt.data_deps().end());
    EXPECT_TRUE(deps.count(id["reduce-scatter of dense gradients"]));
    EXPECT_TRUE(deps.count(id["reduce-scatter of routed-expert gradients"]));
    // ASTRA-sim runs one collective at a time: the routed experts' follows
    // the dense one's, in every member the same.
    const Node& routed = t.nodes[id["reduce-scatter of routed-expert gradients"]];
    EXPECT_TRUE(std::count(routed.ctrl_deps().begin(), routed.ctrl_deps().end(), id["reduce-scatter of dense gradients"]));
  }
}

// A symmetric subset: the first 4 of 8 replicas with EP4 keep whole expert
// groups; the data-parallel group shrinks to 4 and the command says so.
// Subsets that would split an expert group are refused.
TEST_F(ExportChakra, SymmetricSubset) {
  const Result r = v3sim("export-chakra " + kMixtral + kFourMicrobatches + " --set /parallelism/ep=4 --replicas 4 --out " +
                         (dir_ / "et").string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("8 NPUs (4 of 8 data-parallel replicas)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("over 4 replicas (dense) and 1 (routed experts), not 8 and 2"), std::string::npos) << r.output;
  expect_runnable(dir_ / "et", 8);
  EXPECT_FALSE(fs::exists(dir_ / "et" / (kPrefix + ".8.et")));
  const ChakraTrace t = read_traces(dir_ / "et", 1)[0];
  for (const Node& n : t.nodes)
    if (str_attr(n, "comm_group") == "dp") {
      EXPECT_EQ(int_attr(n, "comm_group_size"), 4) << n.name();
    }
  const Result split = v3sim("export-chakra " + kMixtral + kFourMicrobatches + " --replicas 4 --out " + (dir_ / "bad").string());
  EXPECT_EQ(split.code, 2) << split.output;
  EXPECT_NE(split.output.find("--replicas 4"), std::string::npos) << split.output;
  EXPECT_FALSE(fs::exists(dir_ / "bad"));
}

TEST_F(ExportChakra, RefusesBadInputAndWritesNothing) {
  const fs::path out = dir_ / "et";
  auto expect_refused = [&](const std::string& args, const std::string& says) {
    const Result r = v3sim("export-chakra " + args + " --out " + out.string());
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find(says), std::string::npos) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_FALSE(fs::exists(out));
  };
  expect_refused(kMixtral + " --set /parallelism/pp=3", "/parallelism");
  expect_refused(kMixtral + " --set /training/microbatch=2", "microbatch");
  expect_refused(scenario("1f1b_4x10.json"), "training scenarios only");
  expect_refused(inference_scenario("production_decode_dp144_ep144.json"), "inference scenario");
}

}  // namespace
