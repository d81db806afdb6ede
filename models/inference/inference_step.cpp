#include "models/inference/inference_step.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <tuple>

#include "models/inference/decode_ops.hpp"
#include "models/inference/exchange.hpp"
#include "models/inference/kernel_coster.hpp"
#include "models/inference/step_graph.hpp"
#include "models/inference/step_load.hpp"
#include "models/training/stage_plan.hpp"
#include "sim/engine.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

// Each per-GPU vector of a layer's costs reduced to its largest entry: one
// GPU as slow as the slowest in every stage and exchange.
void reduce_to_envelope(std::vector<LayerCosts>& costs) {
  auto top = [](std::vector<double>& v) {
    if (!v.empty()) v = {*std::max_element(v.begin(), v.end())};
  };
  for (LayerCosts& c : costs) {
    for (auto& [st, v] : c.stage_s) top(v);
    for (ExchangeCost* x : {&c.dispatch, &c.combine})
      for (std::vector<double>* v : {&x->time_s, &x->send_s, &x->recv_s, &x->round_s, &x->nic_bytes, &x->late_s}) top(*v);
  }
}

// `local_only`: the stages' costs alone, no load, exchanges or graph; the
// result holds rank_local_ms_max and nothing else of the step.
InferenceResult run_step(const ClusterConfig& cluster, const InferenceSpec& s, StepLoadCache* cache, bool local_only = false) {
  const auto t0 = std::chrono::steady_clock::now();
  const ModelConfig& m = s.model;
  const Deployment& d = s.deployment;
  const bool prefill = s.phase == InferencePhase::kPrefill;
  const int ep = d.ep;
  const int per_node = std::min(ep, cluster.spec.node.gpus);
  const int nodes = std::max(1, ep / per_node);
  const int mbs = d.two_micro_batch ? 2 : 1;
  const int query = 1 + s.mtp_depth;
  const int total_layers = m.layers + s.mtp_depth;

  InferenceResult r;
  r.spec = s;
  r.gpus = ep;
  r.nodes = nodes;
  r.micro_batches = mbs;

  const double tokens_per_gpu_mb =
      prefill ? static_cast<double>(s.tokens_per_gpu) / mbs : static_cast<double>(s.requests_per_gpu) / mbs * query;

  // KV lengths per GPU and micro-batch (decode).
  std::vector<std::vector<std::vector<int>>> kv(static_cast<std::size_t>(ep));
  double kv_sum = 0;
  if (!prefill) {
    for (int g = 0; g < ep; ++g) {
      std::mt19937_64 rng(s.kv_seed * 1000003ULL + static_cast<std::uint64_t>(g));
      std::uniform_int_distribution<int> len(s.kv_len, s.kv_len_max);
      kv[static_cast<std::size_t>(g)].resize(static_cast<std::size_t>(mbs));
      for (int q = 0; q < s.requests_per_gpu; ++q) {
        const int l = s.kv_len_max > s.kv_len ? len(rng) : s.kv_len;
        kv[static_cast<std::size_t>(g)][static_cast<std::size_t>(q * mbs / s.requests_per_gpu)].push_back(l);
        kv_sum += l;
      }
    }
  }
  r.memory = inference_memory(s, cluster.gpu.hbm_gb * 1e9, prefill ? 0 : kv_sum / (static_cast<double>(ep) * s.requests_per_gpu));
  if (r.memory.total() > r.memory.hbm) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%.1f GB per GPU (weights %.1f, KV cache %.1f, activations %.1f, buffers %.1f) exceeds HBM %.1f GB; at most %lld fit",
                  r.memory.total() / 1e9, r.memory.weights / 1e9, r.memory.kv_cache / 1e9, r.memory.activations / 1e9,
                  r.memory.comm_buffers / 1e9, r.memory.hbm / 1e9, r.memory.max_batch);
    throw sim::InputError(prefill ? "/workload/batch/tokens_per_gpu" : "/workload/batch/requests_per_gpu",
                          std::string("the batch does not fit: ") + buf);
  }

  // Stage costs per layer kind and GPU.
  KernelCoster cost(s, cluster.gpu, prefill ? cluster.gpu.sms - d.comm_sms : cluster.gpu.sms);
  std::vector<LayerCosts> costs(static_cast<std::size_t>(total_layers));
  std::optional<StepLoad> own;
  // Ranks of unequal batches draw their own load (the cache keys by batch alone).
  const StepLoad& load = local_only                        ? own.emplace()
                         : cache && s.prefill_ranks.empty() ? cache->get(cluster, s, cost)
                                                            : own.emplace(step_load(cluster, s, cost));
  r.load_imbalance_before = load.imbalance_before;
  r.load_imbalance_after = load.imbalance_after;
  // Each GPU's own batch: prefill ranks may differ (one spec per distinct
  // batch: the stages' kernels read their tokens and prompt length from it).
  std::vector<InferenceSpec> batch_spec;
  std::vector<std::size_t> batch_of(static_cast<std::size_t>(ep), 0);
  if (prefill && !s.prefill_ranks.empty()) {
    std::map<std::pair<int, int>, std::size_t> index;
    for (int g = 0; g < ep; ++g) {
      const auto b = s.prefill_ranks.at(static_cast<std::size_t>(g));
      auto it = index.find(b);
      if (it == index.end()) {
        it = index.emplace(b, batch_spec.size()).first;
        InferenceSpec v = s;
        v.tokens_per_gpu = b.first;
        v.prompt_len = std::max(1, b.second);
        batch_spec.push_back(std::move(v));
      }
      batch_of[static_cast<std::size_t>(g)] = it->second;
    }
  }
  auto spec_of = [&](std::size_t b) -> const InferenceSpec& { return batch_spec.empty() ? s : batch_spec[b]; };
  auto tokens_mb_of = [&](std::size_t b) {
    return prefill ? static_cast<double>(spec_of(b).tokens_per_gpu) / mbs : tokens_per_gpu_mb;
  };
  // The unit's token copies per micro-batch, over every GPU's sends.
  double unit_tokens_mb = tokens_per_gpu_mb * ep;
  if (!batch_spec.empty()) {
    unit_tokens_mb = 0;
    for (int g = 0; g < ep; ++g) unit_tokens_mb += tokens_mb_of(batch_of[static_cast<std::size_t>(g)]);
  }
  auto stage_ops = [&](std::size_t b, bool moe, bool mtp, const std::vector<int>& kv_lens) {
    if (prefill) return prefill_layer(spec_of(b), moe, tokens_mb_of(b), 1.0 / mbs);
    return decode_layer(s, moe, kv_lens, mtp ? 1 : query);
  };
  // (batch, moe, mtp) -> stage seconds of the kernels alike on GPUs of one batch.
  std::map<std::tuple<std::size_t, bool, bool>, std::map<Stage, double>> uniform;
  // (gpu, mtp) -> FlashMLA over the GPU's first micro-batch's KV lengths
  // (both micro-batches are alike in count), and the stage it runs in.
  std::map<std::pair<int, bool>, double> mla_s;
  Stage mla_stage = Stage::kAttn1;
  const std::vector<int> no_kv(static_cast<std::size_t>(std::max(1, s.requests_per_gpu / mbs)), 0);
  auto own_stages = [&](std::size_t b, bool moe, bool mtp) -> const std::map<Stage, double>& {
    const auto key = std::make_tuple(b, moe, mtp);
    auto it = uniform.find(key);
    if (it != uniform.end()) return it->second;
    const LayerStages ls = stage_ops(b, moe, mtp, no_kv);
    std::map<Stage, double> u;
    for (const auto& [st, ops] : ls.stages) {
      std::vector<KernelOp> list;
      for (const KernelOp& op : ops) {
        if (is_flash_mla(op)) mla_stage = st;  // costed per GPU from its KV
        else list.push_back(op);
      }
      u[st] = cost.seconds(list);
    }
    const double mtp_tokens = tokens_mb_of(b) / query;
    if (mtp)
      u[prefill ? Stage::kAttn : Stage::kAttn0] +=
          cost.seconds(prefill ? mtp_prologue_ops(m, mtp_tokens) : decode_mtp_prologue_ops(m, mtp_tokens));
    return uniform[key] = u;
  };
  for (int l = 0; l < total_layers; ++l) {
    const bool mtp = l >= m.layers;
    const bool moe = mtp || l >= m.dense_layers;
    LayerCosts& c = costs[static_cast<std::size_t>(l)];
    const bool has_head = l + 1 == m.layers || l + 1 == total_layers;
    const int moe_index = moe ? l - m.dense_layers : -1;
    const double unit_sent = mtp ? unit_tokens_mb / query : unit_tokens_mb;
    for (int g = 0; g < ep; ++g) {
      const std::size_t b = batch_of[static_cast<std::size_t>(g)];
      const InferenceSpec& own_spec = spec_of(b);
      const double tokens_mb = tokens_mb_of(b);
      const std::map<Stage, double>& u = own_stages(b, moe, mtp);
      const double head_rows = prefill ? static_cast<double>(own_spec.tokens_per_gpu) / own_spec.prompt_len / mbs
                                       : (mtp ? tokens_mb / query : tokens_mb);
      const double embed = l == 0 ? cost.seconds(embedding_ops(m, tokens_mb)) : 0;
      const double head = has_head ? cost.seconds(prefill ? head_ops(m, head_rows) : decode_head_ops(m, head_rows)) : 0;
      for (const auto& [st, t] : u) {
        double x = t;
        if (st == (prefill ? Stage::kAttn : Stage::kAttn0)) x += embed;
        if (st == Stage::kMlp && moe && !local_only)
          x += cost.routed(load.share[static_cast<std::size_t>(moe_index)][static_cast<std::size_t>(g)] * unit_sent * s.selections());
        if (!prefill && st == mla_stage) {
          const auto k = std::make_pair(g, mtp);
          if (!mla_s.count(k)) {
            const LayerStages own = stage_ops(b, moe, mtp, kv[static_cast<std::size_t>(g)][0]);
            for (const KernelOp& op : own.ops(mla_stage))
              if (is_flash_mla(op)) mla_s[k] += cost.seconds(op);
          }
          x += mla_s[k];
        }
        c.stage_s[st].push_back(x);
      }
      c.stage_s[Stage::kHead].push_back(head);
    }
    if (!moe || local_only) continue;
    c.dispatch = load.dispatch[static_cast<std::size_t>(moe_index)];
    c.combine = load.combine[static_cast<std::size_t>(moe_index)];
  }

  if (local_only) {
    // Each micro-batch runs every stage once; the routed experts are not the rank's own.
    for (int g = 0; g < ep; ++g) {
      double local = 0;
      for (int l = 0; l < total_layers; ++l)
        for (const auto& [st, v] : costs[static_cast<std::size_t>(l)].stage_s)
          if (!(st == Stage::kMlp && (l >= m.layers || l >= m.dense_layers))) local += v[static_cast<std::size_t>(g)];
      r.rank_local_ms_max = std::max(r.rank_local_ms_max, local * mbs * 1e3);
    }
    return r;
  }
  for (const LayerCosts& c : costs)
    for (const ExchangeCost* x : {&c.dispatch, &c.combine})
      for (double b : x->nic_bytes) r.nic_bytes_per_gpu += b * mbs / ep;
  const int simulated = s.layer_envelope ? 1 : ep;
  if (s.layer_envelope) reduce_to_envelope(costs);
  StepGraph sg;
  if (prefill) build_prefill_graph(sg, s, costs, simulated);
  else
    build_decode_graph(sg, s, costs, simulated,
                       low_latency_link(s.profile, "ep_ll_dispatch", cluster.gpu, d.low_latency_nvlink).nic_line_bytes_per_s);
  const sim::TaskGraph& graph = sg.graph;
  const std::vector<sim::TaskId>& ids = sg.ids;
  const std::vector<TaskMeta>& meta = sg.meta;
  const sim::Timeline tl = sim::run(graph);
  r.events = tl.events;
  r.task_count = graph.tasks().size();
  r.step_s = static_cast<double>(tl.makespan) * 1e-9;

  // Collect.
  const std::size_t n = static_cast<std::size_t>(simulated);
  std::vector<double> busy(n, 0), comm_busy(n, 0), draft(n, 0), local(n, 0);
  std::vector<sim::Time> layer_end(static_cast<std::size_t>(total_layers), 0);
  std::map<std::string, std::vector<double>> per_stage;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const TaskMeta& mt = meta[i];
    const double dur = static_cast<double>(tl.end[ids[i]] - tl.start[ids[i]]) * 1e-6;
    (mt.exchange ? comm_busy : busy)[static_cast<std::size_t>(mt.gpu)] += dur;
    if (!mt.exchange && mt.layer >= m.layers && std::string(mt.stage) != "HEAD") draft[static_cast<std::size_t>(mt.gpu)] += dur;
    const std::string stage = mt.stage;
    const bool routed = stage == "MLP" && (mt.layer >= m.layers || mt.layer >= m.dense_layers);
    if (!mt.exchange && !routed && stage != "SEND" && stage != "RECV") local[static_cast<std::size_t>(mt.gpu)] += dur;
    auto& v = per_stage[mt.stage];
    if (v.empty()) v.assign(n, 0);
    v[static_cast<std::size_t>(mt.gpu)] += dur;
    layer_end[static_cast<std::size_t>(mt.layer)] = std::max(layer_end[static_cast<std::size_t>(mt.layer)], tl.end[ids[i]]);
  }
  auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); };
  r.compute_busy_ms_mean = mean(busy);
  r.compute_busy_ms_max = *std::max_element(busy.begin(), busy.end());
  r.rank_local_ms_max = *std::max_element(local.begin(), local.end());
  r.comm_busy_ms_mean = mean(comm_busy);
  r.comm_busy_ms_max = *std::max_element(comm_busy.begin(), comm_busy.end());
  r.mtp_draft_ms = mean(draft);
  r.slowest_gpu = static_cast<int>(std::max_element(busy.begin(), busy.end()) - busy.begin());
  for (const char* st : {"ATTN", "ATTN-0", "ATTN-1", "SHARED", "MLP", "HEAD", "SEND", "RECV", "DISPATCH", "COMBINE"}) {
    auto it = per_stage.find(st);
    if (it == per_stage.end()) continue;
    r.stages.push_back(StageTotal{st, mean(it->second), *std::max_element(it->second.begin(), it->second.end())});
  }
  sim::Time prev = 0;
  for (sim::Time e : layer_end) {
    r.layer_ms.push_back(static_cast<double>(e - prev) * 1e-6);
    prev = e;
  }
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (meta[i].gpu == 0 || meta[i].gpu == r.slowest_gpu)
      r.tasks.push_back(InferenceTaskRecord{meta[i].gpu, meta[i].exchange, meta[i].stage, meta[i].mb, meta[i].layer,
                                            tl.start[ids[i]], tl.end[ids[i]]});

  r.tokens_per_step_per_gpu = prefill ? s.tokens_per_gpu : s.requests_per_gpu * (1 + s.acceptance * s.mtp_depth);
  r.tokens_per_s_per_gpu = r.tokens_per_step_per_gpu / r.step_s;
  r.tokens_per_s_per_node = r.tokens_per_s_per_gpu * per_node;
  if (prefill) r.ttft_s = r.step_s;
  else r.tpot_s = r.step_s / (1 + s.acceptance * s.mtp_depth);

  r.reductions.push_back("one deployment unit of " + std::to_string(ep) + " GPUs simulated; further units of the cluster are alike");
  if (s.layer_envelope)
    r.reductions.push_back("the unit as one GPU carrying the slowest GPU's time in every stage and exchange of every layer (an upper bound of the lockstep unit)");
  r.reductions.push_back("senders symmetric: every GPU sends the same tokens with the layer's expert mix");
  if (prefill) {
    r.reductions.push_back("an exchange on a GPU begins once every GPU has started it");
    r.reductions.push_back("dispatch/combine per GPU from a flow-level simulation of each layer's exchange alone (expected tokens per rank and node), scaled by the fitted in-service kernel time");
  } else {
    r.reductions.push_back("low-latency round per GPU from its NIC bytes (hose bound: its own receive, the busiest sender), not per message; its NIC carries the larger direction's bytes from its own send; the last sender's messages arrive a per-peer time after its send");
  }
  r.reductions.push_back("stage costs memoised per layer kind; routed-expert cost per GPU memoised by received rows");
  if (!prefill && s.kv_len_max > s.kv_len)
    r.reductions.push_back("FlashMLA cost per GPU from its first micro-batch's KV lengths, for both micro-batches");
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace

double rank_local_seconds(const ClusterConfig& cluster, const InferenceSpec& spec_in) {
  std::string scaled;
  InferenceSpec spec = spec_in;
  spec.profile = profile_for_gpu(spec_in.profile, cluster.gpu, scaled);
  return run_step(cluster, spec, nullptr, true).rank_local_ms_max * 1e-3;
}

InferenceResult simulate_inference(const ClusterConfig& cluster, const InferenceSpec& spec_in, bool mtp_baseline,
                                   StepLoadCache* cache) {
  // The profile carried to the cluster's GPU by the stated rule, if it was measured on another.
  std::string scaled;
  InferenceSpec spec = spec_in;
  spec.profile = profile_for_gpu(spec_in.profile, cluster.gpu, scaled);
  const int gpus = cluster.spec.nodes * cluster.spec.node.gpus;
  if (spec.deployment.ep > gpus || gpus % spec.deployment.ep != 0)
    throw sim::InputError("/workload/deployment/ep", "expected ep dividing the cluster's " + std::to_string(gpus) + " GPUs");
  if (spec.deployment.ep > cluster.spec.node.gpus && spec.deployment.ep % cluster.spec.node.gpus != 0)
    throw sim::InputError("/workload/deployment/ep", "expected whole nodes of " + std::to_string(cluster.spec.node.gpus) + " GPUs");
  if (spec.phase == InferencePhase::kPrefill && spec.deployment.comm_sms >= cluster.gpu.sms)
    throw sim::InputError("/workload/deployment/comm_sms", "expected fewer than the GPU's " + std::to_string(cluster.gpu.sms) + " SMs");
  InferenceResult r = run_step(cluster, spec, cache);
  if (spec.mtp_depth > 0 && mtp_baseline) {
    InferenceSpec plain = spec;
    plain.mtp_depth = 0;
    plain.acceptance = 0;
    const InferenceResult p = run_step(cluster, plain, cache);
    r.step_s_without_mtp = p.step_s;
    r.tokens_per_s_per_gpu_without_mtp = p.tokens_per_s_per_gpu;
  } else if (spec.mtp_depth == 0) {
    r.step_s_without_mtp = r.step_s;
    r.tokens_per_s_per_gpu_without_mtp = r.tokens_per_s_per_gpu;
  }
  if (!scaled.empty()) r.warnings.push_back(scaled);
  return r;
}

}  // namespace v3sim::models
