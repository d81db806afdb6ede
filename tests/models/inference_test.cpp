// The inference step model: the EPLB port against its README example, the
// low-latency kernels against DeepEP's calibration rows, FlashMLA's two
// regimes, KV bytes, MTP's token count, hand-worked small deployments, the
// ISCA '25 TPOT identity and the input checks.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "models/cluster_config.hpp"
#include "models/inference/eplb.hpp"
#include "models/inference/exchange.hpp"
#include "models/inference/expert_load.hpp"
#include "models/inference/inference_ops.hpp"
#include "models/inference/inference_step.hpp"
#include "models/scenario.hpp"
#include "models/training/stage_plan.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

nlohmann::json load(const std::string& relative) {
  std::ifstream in(std::string(V3SIM_SOURCE_DIR) + "/" + relative);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

// deepseek-ai/EPLB README: 2 layers, 12 experts, 16 replicas, 4 groups, 2 nodes, 8 GPUs.
TEST(Eplb, ReproducesTheReadmeExample) {
  const std::vector<std::vector<double>> weight = {{90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86},
                                                   {20, 107, 104, 64, 19, 197, 187, 157, 172, 86, 16, 27}};
  const std::vector<std::vector<int>> expected = {{5, 6, 5, 7, 8, 4, 3, 4, 10, 9, 10, 2, 0, 1, 11, 1},
                                                  {7, 10, 6, 8, 6, 11, 8, 9, 2, 4, 5, 1, 5, 0, 3, 1}};
  ASSERT_TRUE(eplb_hierarchical(4, 2));
  for (std::size_t l = 0; l < 2; ++l) {
    const ExpertPlacement p = rebalance_experts(weight[l], 16, 4, 2, 8);
    EXPECT_EQ(p.phy2log, expected[l]) << "layer " << l;
    int replicas = 0;
    for (int c : p.logcnt) replicas += c;
    EXPECT_EQ(replicas, 16);
  }
}

TEST(Eplb, GlobalPolicyBalancesGpus) {
  // 4 experts, one hot: with 2 redundant slots the hot expert gets 3
  // replicas (each extra goes to the largest load per replica: 9, then 4.5
  // against 1) and the GPUs of 2 slots carry 3+1, 3+1, 3+1 (the best split).
  const ExpertPlacement p = rebalance_experts({9, 1, 1, 1}, 6, 1, 1, 3);
  EXPECT_EQ(p.logcnt, (std::vector<int>{3, 1, 1, 1}));
  std::vector<double> gpu(3, 0);
  for (std::size_t s = 0; s < 6; ++s) gpu[s / 2] += std::vector<double>{9, 1, 1, 1}[p.phy2log[s]] / p.logcnt[p.phy2log[s]];
  for (double g : gpu) EXPECT_DOUBLE_EQ(g, 4.0);
}

TEST(ExpertLoad, MultinomialDrawKeepsTheTotalAndIsSeeded) {
  ExpertLoadSpec l;
  l.kind = LoadKind::kZipf;
  l.exponent = 1.0;
  const auto shares = expected_shares(l, 256, 3);
  const auto a = draw_counts(shares, 1000, 8, true, true, 7);
  const auto b = draw_counts(shares, 1000, 8, true, true, 7);
  EXPECT_EQ(a, b);
  double sum = 0;
  for (std::size_t e = 0; e < 256; ++e) sum += a[0][e];
  EXPECT_DOUBLE_EQ(sum, 8000);
  EXPECT_DOUBLE_EQ(a[0][256], 1000);  // the routed shared expert: every token
  // Popularity order is per layer: layer 0's most popular expert differs from layer 1's.
  const auto top = [](const std::vector<double>& v) { return std::max_element(v.begin(), v.end()) - v.begin(); };
  EXPECT_NE(top(shares[0]), top(shares[1]));
  EXPECT_NEAR(shares[0][static_cast<std::size_t>(top(shares[0]))], 1.0 / 6.1243, 1e-3);  // 1 / H(256)
}

// DeepEP's low-latency benchmark (calibration/reference/deepep_low_latency.json):
// 128 tokens per rank, top-8 of 288 experts spread evenly, all on RDMA.
TEST(LowLatency, CalibrationRowsWithinTenPercent) {
  const nlohmann::json ref = load("calibration/reference/deepep_low_latency.json");
  const calibration::Profile& p = calibration::named_profile("h800-published", "");
  const GpuPreset gpu = gpu_preset("h800");
  ASSERT_DOUBLE_EQ(gpu.nic_gbit_per_s, 400);
  for (const nlohmann::json& row : ref["rows"]) {
    const int ep = row["ep"];
    const std::vector<double> share(static_cast<std::size_t>(ep), 1.0 / ep);
    for (bool dispatch : {true, false}) {
      const LowLatencyLink link = low_latency_link(p, dispatch ? "ep_ll_dispatch" : "ep_ll_combine", gpu, false);
      const std::vector<double> t = low_latency_seconds(link, share, 128, 8, low_latency_message_bytes(7168, dispatch), dispatch);
      const double measured = (dispatch ? row["dispatch_us"] : row["combine_us"]).get<double>() * 1e-6;
      for (double x : t) EXPECT_NEAR(x / measured, 1.0, 0.10) << "EP" << ep << (dispatch ? " dispatch" : " combine");
      // The bandwidth DeepEP prints counts every selection over the kernel time.
      const double counted = 128 * 8 * low_latency_message_bytes(7168, dispatch) / t[0] / 1e9;
      EXPECT_NEAR(counted, (dispatch ? row["dispatch_gb_per_s"] : row["combine_gb_per_s"]).get<double>(), 4.6);
    }
  }
}

TEST(LowLatency, HotReceiverGatesEveryGpu) {
  // Two GPUs, GPU 1 holding 3/4 of the copies: dispatch sends 3/4 of GPU 0's
  // copies to GPU 1 and 1/4 of GPU 1's to GPU 0, so the busiest sender moves
  // 3/4 x T x k x m and both GPUs wait for it; combine returns the copies.
  LowLatencyLink link;
  link.nic_bytes_per_s = 10e9;
  link.fixed_s = 5e-6;
  const double bytes = 64 * 8 * 1000.0;
  for (bool dispatch : {true, false}) {
    const auto t = low_latency_seconds(link, {0.25, 0.75}, 64, 8, 1000, dispatch);
    for (double x : t) EXPECT_DOUBLE_EQ(x, 5e-6 + 0.75 * bytes / 10e9);
  }
}

TEST(FlashMla, MemoryAndComputeBoundRegimes) {
  const calibration::Profile& p = calibration::named_profile("h800-published", "");
  const calibration::DeviceRates d = device_rates(gpu_preset("h800"));
  const calibration::KernelClassParams& k = p.kernel_class("mla_decode");
  const double launch = k.launch_us * 1e-6;
  // 64 requests at 8K KV: the latent cache is 64 x 8192 x 1152 bytes.
  const double bytes = 64.0 * 8192 * 1152;
  // h_q x s_q = 16 (memory-bound): 18 GFLOP take 0.03 ms at 580 TFLOPS, the
  // 604 MB of cache 0.20 ms at 3000 GB/s.
  const double flops_memory = 2.0 * 16 * 64 * 8192 * 1088;
  EXPECT_NEAR(calibration::roofline_seconds(p, d, k, bytes, flops_memory, 132), launch + bytes / 3000e9, 1e-12);
  // h_q x s_q = 256 (compute-bound): 580 TFLOPS.
  const double flops_compute = 2.0 * 256 * 64 * 8192 * 1088;
  EXPECT_NEAR(calibration::roofline_seconds(p, d, k, bytes, flops_compute, 132), launch + flops_compute / 580e12, 1e-12);
  // The crossover: arithmetic intensity 2 h_q s_q (576 + 512) / 1152 = 580/3 FLOP/byte at h_q s_q ~ 102.
  const double hq_sq = 580e12 / 3000e9 * 1152 / (2 * 1088);
  EXPECT_NEAR(hq_sq, 102.4, 0.1);
}

InferenceSpec decode_spec(const std::string& extra_deployment = "") {
  nlohmann::json w = nlohmann::json::parse(R"({"kind": "inference", "phase": "decode", "model": "deepseek-v3",
      "deployment": {"ep": 16, "placement": "none"}, "batch": {"requests_per_gpu": 32, "kv_len": 2048},
      "expert_load": {"kind": "uniform", "noise": false}})");
  if (!extra_deployment.empty()) w["deployment"].update(nlohmann::json::parse(extra_deployment));
  return parse_inference(w, "/workload", 16);
}

TEST(InferenceOps, KvBytesPerTokenByHand) {
  const ModelConfig m = model_preset("deepseek-v3");
  // (512 latent + 64 RoPE key) x 2 bytes per layer; 61 layers.
  EXPECT_DOUBLE_EQ(kv_bytes_per_token_layer(m), 1152);
  const InferenceSpec s = decode_spec();
  const InferenceMemory mem = inference_memory(s, 80e9, 2048);
  EXPECT_DOUBLE_EQ(mem.kv_cache, 32.0 * (2048 + 1) * 1152 * 61);
}

ClusterConfig h800(int nodes, const std::string& overrides = "{}") {
  return parse_cluster(nlohmann::json::parse(R"({"node": "h800", "nodes": )" + std::to_string(nodes) +
                                             R"(, "fabric": {"kind": "multi_plane_fat_tree", "planes": 8, "switch_ports": 64}, "overrides": )" +
                                             overrides + "}"),
                       "/cluster");
}

TEST(InferenceStep, MtpAtFullAcceptanceDoublesTheTokens) {
  InferenceSpec s = decode_spec();
  const InferenceResult plain = simulate_inference(h800(2), s);
  s.mtp_depth = 1;
  s.acceptance = 1.0;
  const InferenceResult mtp = simulate_inference(h800(2), s);
  EXPECT_DOUBLE_EQ(mtp.tokens_per_step_per_gpu, 2 * plain.tokens_per_step_per_gpu);
  EXPECT_DOUBLE_EQ(mtp.step_s_without_mtp, plain.step_s);
  // The draft costs time: more than the plain step, less than two of them.
  EXPECT_GT(mtp.step_s, plain.step_s);
  EXPECT_LT(mtp.step_s, 2 * plain.step_s);
  EXPECT_GT(mtp.mtp_draft_ms, 0);
  EXPECT_DOUBLE_EQ(mtp.tokens_per_s_per_gpu, 2 * 32 / mtp.step_s);
  EXPECT_DOUBLE_EQ(mtp.tpot_s, mtp.step_s / 2);
}

// A GPU whose compute is (almost) free: every stage takes no time, so a
// decode step is its exchanges alone.
calibration::Profile free_compute_profile(double nic_gb_per_s, double launch_us) {
  calibration::Profile p;
  p.gemm.fixed_us = 0;
  p.gemm.k_block_ns = 0;
  p.gemm.compute_efficiency = 1;
  p.gemm.hbm_efficiency = 1;
  p.memory_efficiency = 1;
  p.attention_forward_efficiency = 1;
  for (const char* cls : {"ep_ll_dispatch", "ep_ll_combine"}) {
    calibration::KernelClassParams k;
    k.gb_per_s = nic_gb_per_s;
    k.launch_us = launch_us;
    p.kernel_classes[cls] = k;
  }
  return p;
}

const std::string kFastGpu = R"({"fp8_dense_tflops": 1000000, "bf16_dense_tflops": 1000000, "hbm_tb_per_s": 10000, "hbm_gb": 1000000})";

// Hand-worked: 2 nodes of 8 GPUs, a 2-layer toy MoE model, EP16, (almost)
// free compute, a fitted NIC rate of 20 GB/s on 50 GB/s NICs (400 Gb/s), 10
// us per kernel. Without overlap one micro-batch of 32 requests goes through
// dispatch then combine per layer: each GPU sends 32 tokens x 8 copies, 15/16
// of them off the GPU, so
//   dispatch = 10 us + 32 x 8 x 7408 x 15/16 / 20e9 = 98.9 us
//   combine  = 10 us + 32 x 8 x 14336 x 15/16 / 20e9 = 182.0 us
// and the step is 2 x (98.9 + 182.0) = 561.8 us. With two micro-batches of
// 16 in DeepSeek's order, the first dispatch runs alone (d2 = 54.45 us); at
// each of the next three turns one micro-batch's combine and the other's
// dispatch leave together and share the NIC, so the combine's bytes are out
// after both exchanges' bytes at line rate: its round k2 = 96.02 us plus the
// dispatch's wire time 16 x 8 x 7408 x 15/16 / 50e9 = 17.78 us; the last
// combine runs alone: d2 + 3 (k2 + 17.78) + k2 = 491.9 us.
TEST(InferenceStep, HandWorkedSmallDeployment) {
  const nlohmann::json w = nlohmann::json::parse(R"({"kind": "inference", "phase": "decode", "model": "deepseek-v3",
      "model_overrides": {"layers": 2, "dense_layers": 0},
      "deployment": {"ep": 16, "placement": "none", "two_micro_batch": false},
      "batch": {"requests_per_gpu": 32, "kv_len": 128}, "expert_load": {"kind": "uniform", "noise": false}})");
  InferenceSpec s = parse_inference(w, "/workload", 16);
  s.profile = free_compute_profile(20, 10);
  const ClusterConfig c = h800(2, kFastGpu);
  const double d = 10e-6 + 32 * 8 * 7408.0 * 15 / 16 / 20e9;
  const double k = 10e-6 + 32 * 8 * 14336.0 * 15 / 16 / 20e9;
  const InferenceResult r = simulate_inference(c, s);
  EXPECT_NEAR(r.step_s, 2 * (d + k), 2e-3 * r.step_s);
  s.deployment.two_micro_batch = true;
  const double d2 = 10e-6 + 16 * 8 * 7408.0 * 15 / 16 / 20e9;
  const double k2 = 10e-6 + 16 * 8 * 14336.0 * 15 / 16 / 20e9;
  const double wire_d2 = 16 * 8 * 7408.0 * 15 / 16 / 50e9;
  const InferenceResult o = simulate_inference(c, s);
  // The compute is not quite free (about 1.2 us of stages in all).
  EXPECT_NEAR(o.step_s, d2 + 3 * (k2 + wire_d2) + k2, 5e-3 * o.step_s);
}

// ISCA '25 "Insights into DeepSeek-V3": with computation hidden, a decode
// layer of two micro-batches of 32 tokens, each to 9 experts, costs
// 2 x (1 + 2) bytes x 32 x 9 x 7K / 50 GB/s on a 400G NIC. The model moves
// the same messages plus FP8 scales and headers ((7408 + 14336) / (3 x 7168)
// of the bytes), and keeps the 1/EP of them that stay on the GPU local.
TEST(InferenceStep, IscaTpotIdentity) {
  const nlohmann::json w = nlohmann::json::parse(R"({"kind": "inference", "phase": "decode", "model": "deepseek-v3",
      "model_overrides": {"dense_layers": 0},
      "deployment": {"ep": 144, "experts_per_gpu": 2, "redundant_experts": 31, "placement": "eplb", "shared_expert": "routed"},
      "batch": {"requests_per_gpu": 64, "kv_len": 128}, "expert_load": {"kind": "uniform", "noise": false}})");
  InferenceSpec s = parse_inference(w, "/workload", 144);
  s.profile = free_compute_profile(50, 0);
  const InferenceResult r = simulate_inference(h800(18, kFastGpu), s);
  // The paper's arithmetic with 7K = 7000: 241.92 us a layer, 14.76 ms over 61 layers.
  const double paper_layer = 2.0 * (1 + 2) * 32 * 9 * 7000 / 50e9;
  EXPECT_NEAR(paper_layer * 61 * 1e3, 14.76, 0.005);
  // The same identity at the model's hidden size of 7168.
  const double identity_layer = paper_layer * 7168 / 7000;
  const double model_bytes = (7408.0 + 14336) / (3 * 7168);
  // EPLB spreads the 288 copies of a token's 9 experts over 288 slots: a GPU
  // keeps 2/288 of them local.
  const double off_gpu = 1 - 2.0 / 288;
  EXPECT_NEAR(r.step_s / 61, identity_layer * model_bytes * off_gpu, 0.01 * identity_layer)
      << "load max/mean " << r.load_imbalance_after;
  // the paper's 14.76 ms TPOT ceiling
}

std::string error_pointer(const std::string& workload_patch, int nodes = 2) {
  nlohmann::json doc = nlohmann::json::parse(R"({"cluster": {"node": "h800", "nodes": 2, "fabric": {"kind": "multi_plane_fat_tree", "planes": 8, "switch_ports": 64}},
      "workload": {"kind": "inference", "phase": "decode", "model": "deepseek-v3",
      "deployment": {"ep": 16, "placement": "none"}, "batch": {"requests_per_gpu": 32, "kv_len": 2048}}})");
  doc["cluster"]["nodes"] = nodes;
  doc["workload"].merge_patch(nlohmann::json::parse(workload_patch));
  try {
    const Scenario s = parse_scenario(doc);
    simulate_inference(*s.cluster, *s.inference);
  } catch (const sim::InputError& e) {
    return e.pointer();
  }
  return "";
}

TEST(InferenceInput, BadDeploymentsNameTheirPointer) {
  EXPECT_EQ(error_pointer(R"({"deployment": {"ep": 12}})"), "/workload/deployment/ep");
  EXPECT_EQ(error_pointer(R"({"deployment": {"ep": 16, "placement": "eplb", "experts_per_gpu": 16, "redundant_experts": 300}})"),
            "/workload/deployment/redundant_experts");
  EXPECT_EQ(error_pointer(R"({"deployment": {"ep": 16, "placement": "eplb", "redundant_experts": 5}})"),
            "/workload/deployment/redundant_experts");
  EXPECT_EQ(error_pointer(R"({"batch": {"requests_per_gpu": 64, "kv_len": 1000000}})"), "/workload/batch/requests_per_gpu");
  EXPECT_EQ(error_pointer(R"({"mtp": {"depth": 1, "acceptance": 1.2}})"), "/workload/mtp/acceptance");
  EXPECT_EQ(error_pointer(R"({"mtp": {"depth": 1, "acceptance": -0.1}})"), "/workload/mtp/acceptance");
  EXPECT_EQ(error_pointer(R"({"deployment": {"comm_sms": 24}})"), "/workload/deployment/comm_sms");
  EXPECT_EQ(error_pointer(R"({"deployment": {"attention_tp": 3}})"), "/workload/deployment/attention_tp");
  EXPECT_EQ(error_pointer(R"({"phase": "prefill", "deployment": {"comm_sms": 24}, "batch": {"requests_per_gpu": null, "kv_len": null, "tokens_per_gpu": 4096, "prompt_len": 3000}})"),
            "/workload/batch/prompt_len");
}

// Prefill, where the experts' GEMMs are compute-bound: a hot expert makes
// its GPU's MLP longer, and EPLB's replicas even the GPUs out.
TEST(InferenceStep, EplbLowersTheBusiestGpusLoadAndTheStep) {
  const nlohmann::json w = nlohmann::json::parse(R"({"kind": "inference", "phase": "prefill", "model": "deepseek-v3",
      "model_overrides": {"layers": 4},
      "deployment": {"ep": 16, "placement": "none", "comm_sms": 24},
      "batch": {"tokens_per_gpu": 8192, "prompt_len": 4096}, "expert_load": {"kind": "zipf", "exponent": 0.8}})");
  const InferenceSpec none = parse_inference(w, "/workload", 16);
  InferenceSpec eplb = none;
  eplb.deployment.placement = Placement::kEplb;
  eplb.deployment.redundant_experts = 16;
  eplb.deployment.experts_per_gpu = 17;
  const InferenceResult a = simulate_inference(h800(2), none);
  const InferenceResult b = simulate_inference(h800(2), eplb);
  EXPECT_GT(a.load_imbalance_after, 1.5);
  EXPECT_LT(b.load_imbalance_after, 1.2);
  EXPECT_LT(b.step_s, a.step_s);
  for (const StageTotal& st : a.stages) {
    if (st.stage == "MLP") {
      EXPECT_GT(st.max_ms, 1.2 * st.mean_ms);  // the engine sees each GPU, not an average
    }
  }
}

TEST(InferenceStep, OverlapHidesCommunicationInProductionDecode) {
  const Scenario s = parse_scenario(load("scenarios/inference/production_decode_dp144_ep144.json"));
  InferenceSpec on = *s.inference;
  on.mtp_depth = 0;
  on.acceptance = 0;
  InferenceSpec off = on;
  off.deployment.two_micro_batch = false;
  const InferenceResult a = simulate_inference(*s.cluster, on);
  const InferenceResult b = simulate_inference(*s.cluster, off);
  EXPECT_LT(a.step_s, b.step_s);
  // Overlapped, some exchange time runs beside computation: the step is
  // shorter than the busiest GPU's compute plus its NICs' busy time.
  EXPECT_LT(a.step_s * 1e3, a.compute_busy_ms_max + a.comm_busy_ms_max);
}

TEST(InferenceStep, SameInputSameOutput) {
  const nlohmann::json doc = load("scenarios/inference/production_prefill_dp32_ep32.json");
  const Scenario s = parse_scenario(doc);
  const InferenceResult a = simulate_inference(*s.cluster, *s.inference);
  const InferenceResult b = simulate_inference(*s.cluster, *s.inference);
  EXPECT_EQ(a.step_s, b.step_s);
  EXPECT_EQ(a.layer_ms, b.layer_ms);
}

}  // namespace
}  // namespace v3sim::models

namespace v3sim::models {
namespace {

nlohmann::json production(const std::string& file) {
  nlohmann::json doc = load("scenarios/inference/" + file);
  doc["workload"]["model_overrides"] = {{"layers", 4}, {"dense_layers", 1}};
  return doc;
}

double step_with_contention(const std::string& file, double slowdown) {
  const Scenario sc = parse_scenario(production(file));
  InferenceSpec s = *sc.inference;
  s.profile.overlap_compute_slowdown = slowdown;
  return simulate_inference(*sc.cluster, s).step_s;
}

// Prefill's normal kernels hold SMs beside the computation: its compute
// slows while they run, never by more than the factor throughout. Decode's
// RDMA holds none: its step does not depend on the factor.
TEST(InferenceStep, PrefillComputeSlowsBesideItsNormalKernelsOnly) {
  const double alone = step_with_contention("production_prefill_dp32_ep32.json", 1);
  const double slowed = step_with_contention("production_prefill_dp32_ep32.json", 1.5);
  EXPECT_GT(slowed, 1.01 * alone);
  EXPECT_LT(slowed, 1.5 * alone);
  EXPECT_DOUBLE_EQ(step_with_contention("production_decode_dp144_ep144.json", 1),
                   step_with_contention("production_decode_dp144_ep144.json", 1.5));
}

}  // namespace
}  // namespace v3sim::models
