// The shortcuts serving's step prices take in the step model: the per-layer
// envelope (one GPU as slow as the slowest in every stage and exchange) is
// exact when every GPU is alike and an upper bound of the lockstep unit
// otherwise (a max-plus system is monotone in its durations); the step
// loads shared across prompt and KV lengths change no result.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "models/inference/inference_step.hpp"
#include "models/inference/step_load.hpp"
#include "models/scenario.hpp"

namespace v3sim::models {
namespace {

struct Units {
  InferenceSpec prefill, decode;
  ClusterConfig prefill_cluster, decode_cluster;
};

// The small serving scenario's units (a 4-layer DeepSeek-V3: EP8 prefill,
// EP16 decode), with a batch set.
Units units(bool skewed) {
  std::ifstream in(std::string(V3SIM_SOURCE_DIR) + "/scenarios/serving/small_synthetic.json");
  std::stringstream ss;
  ss << in.rdbuf();
  const Scenario sc = parse_scenario(nlohmann::json::parse(ss.str()));
  Units u{sc.serving->prefill.unit, sc.serving->decode.unit, sc.serving->prefill.cluster, sc.serving->decode.cluster};
  for (InferenceSpec* s : {&u.prefill, &u.decode}) {
    s->load.kind = skewed ? LoadKind::kZipf : LoadKind::kUniform;
    s->load.exponent = 1.0;
    s->load.noise = skewed;
    s->deployment.placement = Placement::kNone;
  }
  u.prefill.tokens_per_gpu = 4096;
  u.prefill.prompt_len = 2048;
  u.decode.requests_per_gpu = 32;
  u.decode.kv_len = u.decode.kv_len_max = 3000;
  return u;
}

double step(const ClusterConfig& c, InferenceSpec s, bool envelope, StepLoadCache* cache = nullptr) {
  s.layer_envelope = envelope;
  return simulate_inference(c, s, false, cache).step_s;
}

TEST(LayerEnvelope, ExactWhenEveryGpuIsAlike) {
  const Units u = units(false);
  EXPECT_NEAR(step(u.prefill_cluster, u.prefill, true), step(u.prefill_cluster, u.prefill, false), 1e-9);
  EXPECT_NEAR(step(u.decode_cluster, u.decode, true), step(u.decode_cluster, u.decode, false), 1e-9);
}

TEST(LayerEnvelope, AnUpperBoundOfTheUnitUnderSkewedLoad) {
  const Units u = units(true);
  for (bool overlap : {false, true}) {
    InferenceSpec p = u.prefill, d = u.decode;
    p.deployment.two_micro_batch = d.deployment.two_micro_batch = overlap;
    const double prefill_env = step(u.prefill_cluster, p, true), prefill_all = step(u.prefill_cluster, p, false);
    const double decode_env = step(u.decode_cluster, d, true), decode_all = step(u.decode_cluster, d, false);
    EXPECT_GE(prefill_env, prefill_all * (1 - 1e-9)) << overlap;
    EXPECT_GE(decode_env, decode_all * (1 - 1e-9)) << overlap;
    // The skew is real: the busiest GPU's experts receive well over the mean.
    EXPECT_GT(simulate_inference(u.decode_cluster, d, false).load_imbalance_after, 1.2) << overlap;
    EXPECT_GT(simulate_inference(u.prefill_cluster, p, false).load_imbalance_after, 1.2) << overlap;
  }
}

TEST(StepLoadCache, SharedLoadsChangeNoStep) {
  const Units u = units(true);
  StepLoadCache prefill_loads, decode_loads;
  for (int len : {1024, 2048, 8192})
    for (bool overlap : {false, true}) {
      InferenceSpec p = u.prefill, d = u.decode;
      p.prompt_len = len;
      d.kv_len = d.kv_len_max = len;
      p.deployment.two_micro_batch = d.deployment.two_micro_batch = overlap;
      EXPECT_EQ(step(u.prefill_cluster, p, false, &prefill_loads), step(u.prefill_cluster, p, false)) << len;
      EXPECT_EQ(step(u.decode_cluster, d, false, &decode_loads), step(u.decode_cluster, d, false)) << len;
    }
}

// Each micro-batch routes its own tokens: a step of two micro-batches of t
// tokens per GPU draws the load of one micro-batch of t, and the cache hands
// the same loads to both (the unit's steps differ, the loads do not).
TEST(StepLoadCache, TwoMicroBatchesOfTLoadAsOneOfT) {
  const Units u = units(true);
  InferenceSpec one = u.prefill, two = u.prefill;
  one.deployment.two_micro_batch = false;
  two.deployment.two_micro_batch = true;
  two.tokens_per_gpu = 2 * one.tokens_per_gpu;
  const InferenceResult a = simulate_inference(u.prefill_cluster, one, false);
  const InferenceResult b = simulate_inference(u.prefill_cluster, two, false);
  EXPECT_EQ(a.load_imbalance_after, b.load_imbalance_after);
  EXPECT_GT(a.load_imbalance_after, 1.2);
  StepLoadCache loads;
  EXPECT_EQ(step(u.prefill_cluster, one, false, &loads), step(u.prefill_cluster, one, false));
  EXPECT_EQ(step(u.prefill_cluster, two, false, &loads), step(u.prefill_cluster, two, false));
}

// A prefill GPU's NIC over a step: with experts spread evenly over two nodes
// and independent picks, a token reaches the other node with probability
// 1 - (1/2)^8, once (DeepEP sends a token once per node); dispatch carries
// FP8 with scales (7168 + 224 bytes), combine BF16 (14336), on each of the
// 3 MoE layers of the 4-layer model.
TEST(StepNicBytes, PrefillAcrossTwoNodesIsTheClosedForm) {
  Units u = units(false);
  u.prefill.deployment.ep = 16;
  u.prefill.deployment.experts_per_gpu = 16;
  ClusterConfig c = u.decode_cluster;  // two nodes
  c.gpu.hbm_gb = 1e9;
  const double tokens = 4096;
  const double expected = tokens * 3 * (1 - std::pow(0.5, 8)) * (7392 + 14336);
  EXPECT_NEAR(simulate_inference(c, u.prefill, false).nic_bytes_per_gpu / expected, 1.0, 1e-3);
}

// Prefill ranks given one by one: all alike is the symmetric step; a unit
// whose ranks differ is slower than its mean rank's symmetric step and
// faster than its busiest rank's.
TEST(PrefillRanks, UnequalRanksLieBetweenTheMeanAndTheBusiest) {
  const Units u = units(true);
  ClusterConfig c = u.prefill_cluster;
  c.gpu.hbm_gb = 1e9;
  InferenceSpec alike = u.prefill;
  alike.prefill_ranks.assign(8, {4096, 2048});
  EXPECT_EQ(simulate_inference(c, alike, false).step_s, simulate_inference(c, u.prefill, false).step_s);
  InferenceSpec skewed = u.prefill;  // one rank of 4096 tokens, the rest 512: mean 960
  skewed.prefill_ranks.assign(8, {512, 2048});
  skewed.prefill_ranks[3] = {4096, 2048};
  InferenceSpec mean = u.prefill;
  mean.tokens_per_gpu = 960;
  const double step = simulate_inference(c, skewed, false).step_s;
  EXPECT_GT(step, simulate_inference(c, mean, false).step_s);
  EXPECT_LT(step, simulate_inference(c, u.prefill, false).step_s);
  // An idle rank costs its kernels' fixed times, nothing undefined.
  skewed.prefill_ranks[5] = {0, 1};
  EXPECT_TRUE(std::isfinite(simulate_inference(c, skewed, false).step_s));
}

}  // namespace
}  // namespace v3sim::models
