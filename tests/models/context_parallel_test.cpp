// Context parallelism: the sequence over cp GPUs, K and V round a ring.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "models/scenario.hpp"
#include "models/training/context_ring.hpp"
#include "models/training/training_step.hpp"
#include "models/transformer/layer_ops.hpp"
#include "models/transformer/model_config.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

// 1 GB a step at 500 GB/s is 2 ms; beside 1.5 ms of attention 0.5 ms of it
// shows, three times; beside 2.5 ms nothing shows.
TEST(ContextParallel, RingExposesWhatTheAttentionBesideItDoesNotHide) {
  EXPECT_NEAR(context_ring_exposed_s(1e9, 500e9, 1.5e-3, 3), 1.5e-3, 1e-15);
  EXPECT_EQ(context_ring_exposed_s(1e9, 500e9, 2.5e-3, 3), 0);
  EXPECT_EQ(context_ring_exposed_s(1e9, 500e9, 0, 0), 0);
}

// cp 2 halves a GPU's tokens and its share of causal attention; its K and V
// (GQA: 2 x kv heads x head dim BF16 values a token) go round the ring once.
TEST(ContextParallel, EachGpuHoldsItsShareOfTheSequence) {
  const ModelConfig m = model_preset("llama3-70b");
  auto find = [](const std::vector<KernelOp>& ops, const std::string& name) {
    for (const KernelOp& op : ops)
      if (op.name == name) return op;
    ADD_FAILURE() << "no " << name;
    return KernelOp{};
  };
  OpContext one, two;
  one.tp = two.tp = 8;
  two.cp = 2;
  const std::vector<KernelOp> a = forward_ops(m, BlockKind::kDenseLayer, one), b = forward_ops(m, BlockKind::kDenseLayer, two);
  EXPECT_EQ(find(b, "qkv_proj").shape.m, find(a, "qkv_proj").shape.m / 2);
  EXPECT_DOUBLE_EQ(find(b, "core_attention").flops, find(a, "core_attention").flops / 2);
  const KernelOp ring = find(b, "cp_ring");
  EXPECT_EQ(ring.ring_steps, 1);
  // 2048 tokens x 2 x (8 kv heads / 8) x 128 x 2 bytes
  EXPECT_DOUBLE_EQ(ring.bytes, 2048.0 * 2 * 1 * 128 * 2);
  for (const KernelOp& op : a) EXPECT_NE(op.kind, KernelKind::kContextRing);
}

nlohmann::json llama(int cp, int nodes = 2) {
  return nlohmann::json{
      {"cluster", {{"node", "h100"}, {"nodes", nodes}, {"fabric", {{"kind", "rail_optimized"}, {"switch_ports", 64}}}}},
      {"model", "llama3-70b"},
      {"model_overrides", {{"layers", 8}, {"dense_layers", 8}}},
      {"parallelism", {{"pp", 2}, {"tp", 4}, {"cp", cp}, {"sequence_parallel", true}}},
      {"schedule", {{"kind", "1f1b"}}},
      {"training", {{"seq_len", 8192}, {"global_batch", 16}, {"micro_batch", 1}, {"precision", "fp8"}}}};
}

// The same batch on the same 16 GPUs as cp 2 x dp 1 or cp 1 x dp 2: the
// model's work per step is the same, the data-parallel degree halves.
TEST(ContextParallel, SplitsTheSequenceNotTheBatch) {
  const Scenario a = parse_scenario(llama(1)), b = parse_scenario(llama(2));
  const TrainingResult ra = simulate_training(*a.cluster, *a.training), rb = simulate_training(*b.cluster, *b.training);
  EXPECT_EQ(ra.dp, 2);
  EXPECT_EQ(rb.dp, 1);
  EXPECT_EQ(rb.microbatches, 2 * ra.microbatches);
  EXPECT_NEAR(rb.model_flops_per_step / ra.model_flops_per_step, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(rb.tokens_per_step, ra.tokens_per_step);
}

std::string pointer_of(const nlohmann::json& doc) {
  try {
    parse_scenario(doc);
  } catch (const sim::InputError& e) {
    return e.pointer();
  }
  return "";
}

TEST(ContextParallel, BadSplitsNameTheirField) {
  nlohmann::json odd = llama(2);
  odd["training"]["seq_len"] = 8190;
  EXPECT_EQ(pointer_of(odd), "/parallelism/cp");
  nlohmann::json full = llama(2);
  full["fidelity"] = "full";
  EXPECT_EQ(pointer_of(full), "/fidelity");
  EXPECT_EQ(pointer_of(llama(3)), "/parallelism/pp");  // 2 x 4 x 3 does not divide 16 GPUs
}

}  // namespace
}  // namespace v3sim::models
