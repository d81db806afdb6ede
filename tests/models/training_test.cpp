// The training step: the overlapped chunk pair on the engine, memory per
// rank against hand-computed bytes, reduced against full fidelity, and the
// schedules' ordering on the DeepSeek-V3 scenario.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "models/scenario.hpp"
#include "models/training/chunk_pair.hpp"
#include "models/training/training_step.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

nlohmann::json load(const std::string& relative) {
  std::ifstream in(std::string(V3SIM_SOURCE_DIR) + "/" + relative);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

Scenario scenario(const nlohmann::json& doc) { return parse_scenario(doc); }

// Compute on the first compute stream (the second runs beside it).
sim::Time compute_sum(const std::vector<Segment>& segs) {
  sim::Time t = 0;
  for (const Segment& s : segs)
    if (!s.comm && !s.second_stream) t += s.compute + s.expert;
  return t;
}

// With free communication the pair's components only wait for each other
// on the compute stream: its span is the sum of its first-stream compute
// parts (the second stream's weight gradients finish beside them). Free
// means no all-to-all time and no comm-stream kernels: the shape model
// without trace-fitted kernel classes, BF16 (no cast before the gradient
// dispatch).
// The chunk pair on the shape model alone, the two compute streams slowing
// each other by the given factors (nothing beside communication).
Scenario shape_model_pair(double main_beside_second, double second_beside_main) {
  Scenario s = scenario(load("scenarios/bench/chunk_pair_ep64.json"));
  s.training->profile.kernel_classes.clear();
  s.training->profile.framework_launches.clear();
  s.training->fp8 = false;
  s.training->profile.main_beside_second_slowdown = main_beside_second;
  s.training->profile.second_beside_main_slowdown = second_beside_main;
  s.training->profile.overlap_compute_slowdown = 1;
  return s;
}

TEST(ChunkPair, ZeroCommunicationEqualsSumOfComputeParts) {
  const Scenario s = shape_model_pair(1, 1);  // kernels alone (the next test has the streams contend)
  const StagePlan plan = plan_stages(*s.training, s.cluster->gpu, 1, false);
  ASSERT_EQ(plan.parts[0].blocks.size(), 4u);
  sim::Time f = 0, b = 0;
  for (const BlockPlan& blk : plan.parts[0].blocks) {
    EXPECT_EQ(blk.kind, BlockKind::kMoeLayer);
    f += compute_sum(blk.forward);
    b += compute_sum(blk.input) + compute_sum(blk.weight);
  }
  StepNetwork net;  // all-to-all phases and transfers take no time
  const StepGraphResult r = simulate_step_graph(chunk_pair_schedule(), plan, StepLayout{1, 64, 64, 1, Fidelity::kReduced}, net);
  const OpRecord& pair = r.pipeline.ranks[0].ops[1];
  ASSERT_EQ(pair.op.kind, OpKind::kFB);
  EXPECT_EQ(pair.end - pair.start, f + b);
  EXPECT_EQ(r.ranks[0].exposed_comm, 0);
}

// The same pair with the two compute streams contending: the first stream's
// kernels slow by up to its factor while the second stream runs beside them,
// so the span lies between the first stream's sum and that sum slowed
// throughout; no kernel runs faster than alone or slower than its factor.
TEST(ChunkPair, StreamsContendingSlowThePairWithinTheirFactors) {
  const Scenario s = shape_model_pair(1.25, 1.5);
  const StagePlan plan = plan_stages(*s.training, s.cluster->gpu, 1, false);
  sim::Time first = 0;
  for (const BlockPlan& blk : plan.parts[0].blocks)
    first += compute_sum(blk.forward) + compute_sum(blk.input) + compute_sum(blk.weight);
  StepNetwork net;
  const StepGraphResult r = simulate_step_graph(chunk_pair_schedule(), plan, StepLayout{1, 64, 64, 1, Fidelity::kReduced}, net);
  const OpRecord& pair = r.pipeline.ranks[0].ops[1];
  EXPECT_GT(pair.end - pair.start, first);
  EXPECT_LE(pair.end - pair.start, static_cast<sim::Time>(1.25 * static_cast<double>(first)) + 1);
  for (const ComponentRecord& rec : r.components) {
    if (rec.comm) continue;
    EXPECT_GE(rec.end - rec.start, rec.standalone);
    EXPECT_LE(static_cast<double>(rec.end - rec.start), (rec.second_stream ? 1.5 : 1.25) * static_cast<double>(rec.standalone) + 1);
  }
}

// With communication the pair hides part of it: its span lies between the
// compute sum and compute plus every all-to-all of the two chunks.
TEST(ChunkPair, OverlapHidesCommunication) {
  const Scenario s = scenario(load("scenarios/bench/chunk_pair_ep64.json"));
  const StagePlan plan = plan_stages(*s.training, s.cluster->gpu, 1, false);
  StepNetwork net;
  net.phase_time = {sim::from_ms(2), sim::from_ms(2), sim::from_ms(3)};
  sim::Time compute = 0, comm = 0;
  for (const BlockPlan& blk : plan.parts[0].blocks) {
    compute += compute_sum(blk.forward) + compute_sum(blk.input) + compute_sum(blk.weight);
    for (const auto* list : {&blk.forward, &blk.input})
      for (const Segment& seg : *list)
        if (seg.comm) comm += net.phase_time[static_cast<std::size_t>(seg.phase)];
  }
  EXPECT_EQ(comm, 4 * sim::from_ms(2 + 3 + 2 + 3));
  const StepGraphResult r = simulate_step_graph(chunk_pair_schedule(), plan, StepLayout{1, 64, 64, 1, Fidelity::kReduced}, net);
  const OpRecord& pair = r.pipeline.ranks[0].ops[1];
  EXPECT_GT(pair.end - pair.start, compute);
  EXPECT_LT(pair.end - pair.start, compute + comm);
}

// Rank 1 of the V3 DualPipe step holds parts 1 and 14: eight MoE layers.
// Per layer, every EP rank holds the attention (187,114,496 with its norms),
// the MoE norm (7,168), router (1,835,008) and shared expert (44,040,192):
// 232,996,864; and 256/64 routed experts: 176,160,768. BF16 parameters, FP32
// gradients; optimizer (8 bytes) sharded over DP 128 for the dense part and
// over the 2 replicas of each expert.
TEST(TrainingStep, DeepSeekV3MemoryPerRank) {
  nlohmann::json doc = load("scenarios/deepseek_v3_pretrain_2048xh800.json");
  doc["training"]["global_batch"] = 4096;  // 32 micro-batches: the minimum for DualPipe on 16 ranks
  const Scenario s = scenario(doc);
  const TrainingResult r = simulate_training(*s.cluster, *s.training);
  const double dense = 8 * 232996864.0, routed = 8 * 176160768.0;
  const RankMemory& m = r.ranks[1].memory;
  EXPECT_DOUBLE_EQ(m.parameters, 2 * (dense + routed));
  EXPECT_DOUBLE_EQ(m.gradients, 4 * (dense + routed));
  EXPECT_DOUBLE_EQ(m.optimizer, 8 * (dense / 128 + routed / 2));
  // DualPipe's activation peak: PP + 1 chunks of a part (4 MoE layers of
  // 670,040,064 saved bytes each, see LayerOps tests).
  EXPECT_DOUBLE_EQ(m.activations, 17 * 4 * 670040064.0);
  EXPECT_TRUE(m.fits());
}

// DualPipe beats 1F1B and ZB1P; ZB1P's bubble is smaller than 1F1B's.
TEST(TrainingStep, DeepSeekV3ScheduleOrdering) {
  nlohmann::json doc = load("scenarios/deepseek_v3_pretrain_2048xh800.json");
  doc["training"]["global_batch"] = 4096;
  auto run = [&](const char* kind) {
    doc["schedule"]["kind"] = kind;
    const Scenario s = scenario(doc);
    return simulate_training(*s.cluster, *s.training);
  };
  const TrainingResult dual = run("dualpipe"), one = run("1f1b"), zb = run("zb1p");
  EXPECT_LT(dual.step_time_s, one.step_time_s);
  EXPECT_LT(dual.step_time_s, zb.step_time_s);
  auto bubble = [](const TrainingResult& r) {
    sim::Time b = 0;
    for (const TrainingRank& k : r.ranks) b += k.bubble;
    return b;
  };
  EXPECT_LT(bubble(zb), bubble(one));
  // Throughput follows from the step: tokens per step over its time.
  EXPECT_DOUBLE_EQ(dual.tokens_per_s, 4096.0 * 4096 / dual.step_time_s);
}

// Two sequences per micro-batch double the activations: the middle
// DualPipe ranks no longer fit in 80 GB, and the result says so.
TEST(TrainingStep, WarnsWhenARankDoesNotFit) {
  nlohmann::json doc = load("scenarios/deepseek_v3_pretrain_2048xh800.json");
  doc["training"]["global_batch"] = 8192;
  doc["training"]["micro_batch"] = 2;
  const Scenario s = scenario(doc);
  const TrainingResult r = simulate_training(*s.cluster, *s.training);
  EXPECT_DOUBLE_EQ(r.ranks[1].memory.activations, 17 * 4 * 2 * 670040064.0);
  EXPECT_FALSE(r.ranks[1].memory.fits());
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings[0].find("HBM"), std::string::npos);
}

// A balanced split moves layers off the ranks that also hold the embedding,
// the head and the MTP module: the busiest rank computes less, every part
// keeps at least one layer and all 62 layer units stay placed. (With V3's
// own vocabulary the even split is already the best at layer granularity,
// docs/validation.md; a 4x vocabulary makes the ends heavy enough to move.)
TEST(TrainingStep, BalancedSplitLightensTheBusiestRank) {
  nlohmann::json doc = load("scenarios/deepseek_v3_pretrain_2048xh800.json");
  doc["training"]["global_batch"] = 4096;
  doc["model_overrides"] = {{"vocab", 4 * 129280}};
  auto busiest = [](const TrainingResult& r) {
    sim::Time m = 0;
    for (const TrainingRank& k : r.ranks) m = std::max(m, k.compute);
    return m;
  };
  const Scenario even_s = scenario(doc);
  const TrainingResult even = simulate_training(*even_s.cluster, *even_s.training);
  doc["parallelism"]["layers_per_part"] = "balanced";
  const Scenario bal_s = scenario(doc);
  const TrainingResult bal = simulate_training(*bal_s.cluster, *bal_s.training);
  EXPECT_LT(busiest(bal), busiest(even));
  EXPECT_LT(bal.step_time_s, even.step_time_s);
  int units = 0;
  for (const PartPlan& p : bal.plan.parts) {
    EXPECT_GE(p.layers, 1);
    units += p.layers;
  }
  EXPECT_EQ(units, 62);
}

// On a cluster small enough to simulate every GPU and flow, the reduced run
// (one replica, memoised all-to-all phases) agrees with the full one.
TEST(TrainingStep, ReducedFidelityAgreesWithFull) {
  nlohmann::json doc = {
      {"cluster", {{"node", "h800"}, {"nodes", 4}, {"fabric", {{"kind", "multi_plane_fat_tree"}, {"planes", 8}}}}},
      {"model", "deepseek-v3"},
      {"model_overrides", {{"layers", 6}, {"dense_layers", 1}, {"mtp_depth", 0}}},
      {"parallelism", {{"pp", 2}, {"ep", 16}}},
      {"schedule", {{"kind", "dualpipe"}}},
      {"training", {{"seq_len", 1024}, {"global_batch", 128}}}};
  const Scenario reduced = scenario(doc);
  doc["fidelity"] = "full";
  const Scenario full = scenario(doc);
  const TrainingResult a = simulate_training(*reduced.cluster, *reduced.training);
  const TrainingResult b = simulate_training(*full.cluster, *full.training);
  EXPECT_GT(b.flows, 0u);
  EXPECT_EQ(a.flows, 0u);
  EXPECT_NEAR(a.step_time_s / b.step_time_s, 1.0, 0.01);
  for (std::size_t i = 0; i < a.ranks.size(); ++i)
    EXPECT_NEAR(static_cast<double>(a.ranks[i].pipeline_end) / static_cast<double>(b.ranks[i].pipeline_end), 1.0, 0.02);
}

TEST(TrainingSpec, ErrorsNameTheField) {
  nlohmann::json doc = load("scenarios/deepseek_v3_pretrain_2048xh800.json");
  auto pointer_of = [](const nlohmann::json& d) {
    try {
      parse_scenario(d);
    } catch (const sim::InputError& e) {
      return e.pointer();
    }
    return std::string("no error");
  };
  nlohmann::json bad = doc;
  bad["parallelism"]["ep"] = 48;
  EXPECT_EQ(pointer_of(bad), "/parallelism/ep");
  bad = doc;
  bad["training"]["global_batch"] = 1000;
  EXPECT_EQ(pointer_of(bad), "/training/global_batch");
  bad = doc;
  bad["parallelism"]["pp"] = 3;
  EXPECT_EQ(pointer_of(bad), "/parallelism/pp");
  bad = doc;
  bad["calibration"] = "h800-publisher";
  EXPECT_EQ(pointer_of(bad), "/calibration");
  bad = doc;
  bad["model_overrides"] = {{"layers", 0}};
  EXPECT_EQ(pointer_of(bad), "/model_overrides/layers");
  // 16384 GPUs need 512 leaves of 32 down-ports; a two-layer tree of 64-port
  // switches connects at most 64 leaves to every spine.
  bad = doc;
  bad["cluster"]["nodes"] = 2048;
  bad["cluster"]["fabric"]["kind"] = "two_layer_fat_tree";
  EXPECT_EQ(pointer_of(bad), "/cluster/nodes");
}

}  // namespace
}  // namespace v3sim::models

namespace v3sim::models {
namespace {

// The V3 report's hardware what-ifs remove whole kernel classes: a layer's
// compute drops by exactly the time its cast and dequantisation kernels
// took (fused quantisation), and by its cast-transposes (transposed reads).
TEST(Codesign, FusedQuantisationAndTransposedReadsRemoveTheirKernels) {
  const Scenario s = scenario(load("scenarios/bench/chunk_pair_ep64.json"));
  auto layer = [&](bool fused, bool transposed) {
    TrainingSpec t = *s.training;
    t.fused_fp8_quantization = fused;
    t.transposed_gemm_operands = transposed;
    return plan_stages(t, s.cluster->gpu, 1, false).parts[0].blocks[0];
  };
  auto compute = [](const BlockPlan& b) {
    sim::Time t = 0;
    for (const auto* list : {&b.forward, &b.input, &b.weight})
      for (const Segment& seg : *list)
        for (const auto& [cls, d] : seg.classes)
          if (!seg.comm || cls == "cast_fp8") t += d;
    return t;
  };
  auto class_time = [](const BlockPlan& b, const std::string& c) {
    sim::Time t = 0;
    for (const auto* list : {&b.forward, &b.input, &b.weight})
      for (const Segment& seg : *list)
        for (const auto& [cls, d] : seg.classes)
          if (cls == c) t += d;
    return t;
  };
  const BlockPlan base = layer(false, false);
  ASSERT_GT(class_time(base, "cast_fp8"), 0);
  ASSERT_GT(class_time(base, "cast_transpose"), 0);
  EXPECT_EQ(compute(base) - compute(layer(true, false)), class_time(base, "cast_fp8") + class_time(base, "cast_back"));
  EXPECT_EQ(compute(base) - compute(layer(false, true)), class_time(base, "cast_transpose"));
  EXPECT_EQ(class_time(layer(true, true), "cast_fp8") + class_time(layer(true, true), "cast_transpose"), 0);
}

}  // namespace
}  // namespace v3sim::models
