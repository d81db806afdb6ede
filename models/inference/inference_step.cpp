#include "models/inference/inference_step.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <random>

#include "models/inference/eplb.hpp"
#include "models/inference/exchange.hpp"
#include "models/inference/expert_load.hpp"
#include "models/inference/kernel_coster.hpp"
#include "models/training/stage_plan.hpp"
#include "sim/engine.hpp"
#include "sim/json_reader.hpp"
#include "topologies/build_cluster.hpp"

namespace v3sim::models {
namespace {

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::kAttn: return "ATTN";
    case Stage::kAttn0: return "ATTN-0";
    case Stage::kAttn1: return "ATTN-1";
    case Stage::kShared: return "SHARED";
    case Stage::kMlp: return "MLP";
    case Stage::kHead: return "HEAD";
  }
  return "";
}

// Each GPU's share of a layer's token copies under a placement: a logical
// expert's copies split evenly over its replicas.
std::vector<double> gpu_shares(const std::vector<double>& counts, const ExpertPlacement& p, int gpus) {
  std::vector<double> g(static_cast<std::size_t>(gpus), 0);
  const int per_gpu = static_cast<int>(p.phy2log.size()) / gpus;
  double total = 0;
  for (double c : counts) total += c;
  for (std::size_t slot = 0; slot < p.phy2log.size(); ++slot) {
    const int e = p.phy2log[slot];
    g[slot / static_cast<std::size_t>(per_gpu)] += counts[static_cast<std::size_t>(e)] / p.logcnt[static_cast<std::size_t>(e)] / total;
  }
  return g;
}

double max_over_mean(const std::vector<double>& v) {
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  return mean > 0 ? *std::max_element(v.begin(), v.end()) / mean : 0;
}

// Experts without redundancy, in contiguous blocks over the GPUs.
std::vector<double> contiguous_shares(const std::vector<double>& counts, int gpus) {
  std::vector<double> g(static_cast<std::size_t>(gpus), 0);
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  const std::size_t n = counts.size();
  for (std::size_t e = 0; e < n; ++e) g[e * static_cast<std::size_t>(gpus) / n] += counts[e] / total;
  return g;
}

// One work item of a micro-batch's chain: a compute stage, or an exchange.
struct Item {
  bool exchange = false;
  bool dispatch = false;  // exchange: dispatch, else combine
  Stage stage = Stage::kAttn;
  int layer = 0;
  bool after_exchange = false;  // no overlap: this stage waits the exchange before it
};

// The turns of one micro-batch's chain: runs of compute stages the program
// gives the compute stream at once before switching micro-batch
// (DeepSeek's overlap figures). Exchanges follow the stage that produces
// their data.
std::vector<std::vector<Item>> chain_turns(const InferenceSpec& s, int total_layers, bool overlap) {
  const ModelConfig& m = s.model;
  const bool prefill = s.phase == InferencePhase::kPrefill;
  std::vector<std::vector<Item>> turns;
  auto stage = [](Stage st, int l, bool after = false) { return Item{false, false, st, l, after}; };
  auto exch = [](bool dispatch, int l) { return Item{true, dispatch, Stage::kAttn, l, false}; };
  for (int l = 0; l < total_layers; ++l) {
    const bool mtp = l >= m.layers;
    const bool moe = mtp || l >= m.dense_layers;
    if (prefill) {
      if (l == 0) turns.push_back({stage(Stage::kAttn, 0)});
      if (moe) turns.back().push_back(exch(true, l));
      turns.push_back({stage(Stage::kMlp, l)});
      if (moe) turns.back().push_back(exch(false, l));
      std::vector<Item> next;
      if (moe) next.push_back(stage(Stage::kShared, l, !overlap));
      if (l + 1 < total_layers) next.push_back(stage(Stage::kAttn, l + 1));
      else next.push_back(stage(Stage::kHead, l));
      turns.push_back(next);
    } else {
      turns.push_back({stage(Stage::kAttn0, l)});
      std::vector<Item> t{stage(Stage::kAttn1, l)};
      if (moe) t.push_back(exch(true, l));
      if (moe) t.push_back(stage(Stage::kShared, l, !overlap));
      turns.push_back(t);
      turns.push_back({stage(Stage::kMlp, l)});
      if (moe) turns.back().push_back(exch(false, l));
      // The main model's head before the MTP module (which needs its token), the draft's after it.
      if (l + 1 == m.layers || l + 1 == total_layers) turns.back().push_back(stage(Stage::kHead, l));
    }
  }
  return turns;
}

struct LayerCosts {
  // Per GPU seconds of each compute stage of one micro-batch.
  std::map<Stage, std::vector<double>> stage_s;
  std::vector<double> dispatch_s, combine_s;  // per GPU
};

struct Meta {
  int gpu;
  bool exchange;
  const char* stage;
  int mb;
  int layer;
};

InferenceResult run_step(const ClusterConfig& cluster, const InferenceSpec& s) {
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
  const int moe_layers = m.moe_layers() + s.mtp_depth;

  InferenceResult r;
  r.spec = s;
  r.gpus = ep;
  r.nodes = nodes;
  r.micro_batches = mbs;

  // Load: the draw EPLB plans on and the step's own.
  const double tokens_per_gpu_mb =
      prefill ? static_cast<double>(s.tokens_per_gpu) / mbs : static_cast<double>(s.requests_per_gpu) / mbs * query;
  const double step_tokens = tokens_per_gpu_mb * mbs * ep;
  const auto shares = expected_shares(s.load, m.routed_experts, moe_layers);
  const bool shared_routed = d.shared == SharedExpert::kRouted;
  const auto plan = draw_counts(shares, step_tokens, m.topk, shared_routed, s.load.noise, s.load.plan_seed);
  const auto eval = draw_counts(shares, step_tokens, m.topk, shared_routed, s.load.noise, s.load.seed);
  const int placed = s.placed_experts();
  const int slots = d.experts_per_gpu * ep;
  const int groups = placed % m.expert_groups == 0 ? m.expert_groups : 1;
  std::vector<std::vector<double>> share(static_cast<std::size_t>(moe_layers));
  double before = 0, after = 0;
  for (int l = 0; l < moe_layers; ++l) {
    const std::size_t i = static_cast<std::size_t>(l);
    const std::vector<double> flat(static_cast<std::size_t>(placed), 1.0);
    const ExpertPlacement p = d.placement == Placement::kEplb     ? rebalance_experts(plan[i], slots, groups, nodes, ep)
                              : d.placement == Placement::kStatic ? rebalance_experts(flat, slots, groups, nodes, ep)
                                                                  : identity_placement(placed);
    share[i] = gpu_shares(eval[i], p, ep);
    before += max_over_mean(contiguous_shares(eval[i], ep)) / moe_layers;
    after += max_over_mean(share[i]) / moe_layers;
  }
  r.load_imbalance_before = before;
  r.load_imbalance_after = after;

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
  // Built for prefill's flows; small beside the step for decode.
  const topologies::Cluster fabric = topologies::build_cluster(cluster.spec);
  topologies::Router router(fabric);  // shared by every layer's exchange
  const LowLatencyLink ll_d = low_latency_link(s.profile, "ep_ll_dispatch", cluster.gpu, d.low_latency_nvlink);
  const LowLatencyLink ll_c = low_latency_link(s.profile, "ep_ll_combine", cluster.gpu, d.low_latency_nvlink);
  std::vector<LayerCosts> costs(static_cast<std::size_t>(total_layers));
  std::map<std::pair<bool, bool>, std::map<Stage, double>> uniform;  // (moe, mtp) -> stage seconds (GPU-independent part)
  auto stage_ops = [&](bool moe, bool mtp, const std::vector<int>& kv_lens) {
    if (prefill) return prefill_layer(s, moe, tokens_per_gpu_mb, 1.0 / mbs);
    return decode_layer(s, moe, kv_lens, mtp ? 1 : query);
  };
  const std::vector<int> no_kv(static_cast<std::size_t>(s.requests_per_gpu / mbs), 0);
  for (int l = 0; l < total_layers; ++l) {
    const bool mtp = l >= m.layers;
    const bool moe = mtp || l >= m.dense_layers;
    LayerCosts& c = costs[static_cast<std::size_t>(l)];
    auto key = std::make_pair(moe, mtp);
    if (!uniform.count(key)) {
      const LayerStages ls = stage_ops(moe, mtp, no_kv);
      std::map<Stage, double> u;
      for (const auto& [st, ops] : ls.stages) {
        std::vector<KernelOp> list;
        for (const KernelOp& op : ops)
          if (op.kernel_class != "mla_decode") list.push_back(op);  // FlashMLA is costed per GPU from its KV
        u[st] = cost.seconds(list);
      }
      const double mtp_tokens = tokens_per_gpu_mb / query;
      if (mtp) u[prefill ? Stage::kAttn : Stage::kAttn0] += cost.seconds(mtp_prologue_ops(m, mtp_tokens));
      uniform[key] = u;
    }
    const std::map<Stage, double>& u = uniform[key];
    const double head_rows = prefill ? static_cast<double>(s.tokens_per_gpu) / s.prompt_len / mbs
                                     : (mtp ? tokens_per_gpu_mb / query : tokens_per_gpu_mb);
    const double embed = l == 0 ? cost.seconds(embedding_ops(m, tokens_per_gpu_mb)) : 0;
    const double head = (l + 1 == m.layers || l + 1 == total_layers) ? cost.seconds(head_ops(m, head_rows)) : 0;
    const int moe_index = moe ? l - m.dense_layers : -1;
    for (int g = 0; g < ep; ++g) {
      for (const auto& [st, t] : u) {
        double x = t;
        if (st == (prefill ? Stage::kAttn : Stage::kAttn0)) x += embed;
        if (st == Stage::kMlp && moe) {
          const double rows = share[static_cast<std::size_t>(moe_index)][static_cast<std::size_t>(g)] * tokens_per_gpu_mb *
                              (mtp ? 1.0 / query : 1.0) * ep * s.selections();
          x += cost.routed(rows);
        }
        if (st == Stage::kAttn1) {
          // FlashMLA over this GPU's requests of the first micro-batch (both are alike in count).
          const LayerStages one = stage_ops(moe, mtp, kv[static_cast<std::size_t>(g)][0]);
          for (const KernelOp& op : one.ops(Stage::kAttn1))
            if (op.kernel_class == "mla_decode") x += cost.seconds(op);
        }
        c.stage_s[st].push_back(x);
      }
      c.stage_s[Stage::kHead].push_back(head);
    }
    if (!moe) continue;
    const std::vector<double>& sh = share[static_cast<std::size_t>(moe_index)];
    const double sent = mtp ? tokens_per_gpu_mb / query : tokens_per_gpu_mb;
    if (prefill) {
      const NormalExchange x = normal_exchange_seconds(fabric, router, cluster.gpu, s.profile, sh, sent, s.selections(),
                                                       m.hidden, d.comm_sms);
      c.dispatch_s = x.dispatch_s;
      c.combine_s = x.combine_s;
    } else {
      c.dispatch_s = low_latency_seconds(ll_d, sh, sent, s.selections(), low_latency_message_bytes(m.hidden, true), true);
      c.combine_s = low_latency_seconds(ll_c, sh, sent, s.selections(), low_latency_message_bytes(m.hidden, false), false);
    }
  }

  // The engine graph.
  sim::TaskGraph graph;
  std::vector<sim::ResourceId> compute(static_cast<std::size_t>(ep)), comm(static_cast<std::size_t>(ep));
  for (int g = 0; g < ep; ++g) {
    compute[static_cast<std::size_t>(g)] = graph.add_resource("gpu" + std::to_string(g) + " compute", sim::ResourceOrder::kProgram, 1);
    // Prefill: the comm stream on the comm SMs. Decode: the GPU's RDMA
    // traffic, holding no SMs; its exchanges share the NIC, so they drain
    // one after another in the order they were issued.
    comm[static_cast<std::size_t>(g)] = graph.add_resource("gpu" + std::to_string(g) + (prefill ? " comm" : " nic"),
                                                           sim::ResourceOrder::kProgram, 1);
    // Prefill's normal kernels run on their SMs beside the computation and
    // share HBM and L2 with it (docs/training-model.md, "Kernels contending
    // for one GPU"); decode's RDMA holds no SMs.
    if (prefill && s.profile.overlap_compute_slowdown > 1)
      graph.add_slowdown(compute[static_cast<std::size_t>(g)], comm[static_cast<std::size_t>(g)],
                         s.profile.overlap_compute_slowdown);
  }
  const sim::ResourceId joins = graph.add_resource("exchange joins", sim::ResourceOrder::kReady, 0);
  std::vector<Meta> meta;
  std::vector<sim::TaskId> ids;
  auto record = [&](sim::TaskId t, Meta mt) {
    ids.push_back(t);
    meta.push_back(mt);
  };
  const std::vector<std::vector<Item>> turns = chain_turns(s, total_layers, d.two_micro_batch);
  // last[mb][g]: the chain's last compute task; pending[mb][g]: the exchange it last started.
  std::vector<std::vector<std::optional<sim::TaskId>>> last(static_cast<std::size_t>(mbs), std::vector<std::optional<sim::TaskId>>(static_cast<std::size_t>(ep)));
  auto pending = last;
  auto emit_turn = [&](int mb, const std::vector<Item>& turn) {
    for (const Item& it : turn) {
      const LayerCosts& c = costs[static_cast<std::size_t>(it.layer)];
      if (!it.exchange) {
        const std::vector<double>& dur = c.stage_s.at(it.stage);
        for (int g = 0; g < ep; ++g) {
          const std::size_t gi = static_cast<std::size_t>(g);
          const sim::TaskId t = graph.add_task(compute[gi], sim::from_seconds(dur[gi]));
          auto& prev = last[static_cast<std::size_t>(mb)][gi];
          if (prev) graph.add_edge(*prev, t);
          // A stage after an exchange in the chain waits for it (M after
          // dispatch, the next attention after combine).
          auto& ex = pending[static_cast<std::size_t>(mb)][gi];
          const bool needs = it.stage == Stage::kMlp || it.stage == Stage::kAttn || it.stage == Stage::kAttn0 ||
                             it.stage == Stage::kHead || it.after_exchange;
          if (ex && needs) {
            graph.add_edge(*ex, t);
            if (it.stage != Stage::kShared) ex.reset();
          }
          prev = t;
          record(t, Meta{g, false, stage_name(it.stage), mb, it.layer});
        }
        continue;
      }
      const std::vector<double>& dur = it.dispatch ? c.dispatch_s : c.combine_s;
      const sim::TaskId join = graph.add_task(joins, 0);
      std::vector<sim::TaskId> issue(static_cast<std::size_t>(ep));
      for (int g = 0; g < ep; ++g) {
        const std::size_t gi = static_cast<std::size_t>(g);
        // Prefill's comm stream starts the kernel when it is free; the
        // exchange proceeds once every GPU has started it.
        issue[gi] = graph.add_task(comm[gi], 0);
        graph.add_edge(*last[static_cast<std::size_t>(mb)][gi], issue[gi]);
        graph.add_edge(issue[gi], join);
      }
      for (int g = 0; g < ep; ++g) {
        const std::size_t gi = static_cast<std::size_t>(g);
        const sim::TaskId x = graph.add_task(comm[gi], sim::from_seconds(dur[gi]));
        graph.add_edge(join, x);
        graph.add_edge(issue[gi], x);
        pending[static_cast<std::size_t>(mb)][gi] = x;
        record(x, Meta{g, true, it.dispatch ? "DISPATCH" : "COMBINE", mb, it.layer});
      }
    }
  };
  // Micro-batches take turns on the compute stream.
  for (std::size_t i = 0; i < turns.size(); ++i)
    for (int mb = 0; mb < mbs; ++mb) emit_turn(mb, turns[i]);

  const sim::Timeline tl = sim::run(graph);
  r.events = tl.events;
  r.task_count = graph.tasks().size();
  r.step_s = static_cast<double>(tl.makespan) * 1e-9;

  // Collect.
  std::vector<double> busy(static_cast<std::size_t>(ep), 0), comm_busy(static_cast<std::size_t>(ep), 0), draft(static_cast<std::size_t>(ep), 0);
  std::vector<sim::Time> layer_end(static_cast<std::size_t>(total_layers), 0);
  std::map<std::string, std::vector<double>> per_stage;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const Meta& mt = meta[i];
    const double dur = static_cast<double>(tl.end[ids[i]] - tl.start[ids[i]]) * 1e-6;
    (mt.exchange ? comm_busy : busy)[static_cast<std::size_t>(mt.gpu)] += dur;
    if (!mt.exchange && mt.layer >= m.layers && std::string(mt.stage) != "HEAD") draft[static_cast<std::size_t>(mt.gpu)] += dur;
    auto& v = per_stage[mt.stage];
    if (v.empty()) v.assign(static_cast<std::size_t>(ep), 0);
    v[static_cast<std::size_t>(mt.gpu)] += dur;
    layer_end[static_cast<std::size_t>(mt.layer)] = std::max(layer_end[static_cast<std::size_t>(mt.layer)], tl.end[ids[i]]);
  }
  auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); };
  r.compute_busy_ms_mean = mean(busy);
  r.compute_busy_ms_max = *std::max_element(busy.begin(), busy.end());
  r.comm_busy_ms_mean = mean(comm_busy);
  r.comm_busy_ms_max = *std::max_element(comm_busy.begin(), comm_busy.end());
  r.mtp_draft_ms = mean(draft);
  r.slowest_gpu = static_cast<int>(std::max_element(busy.begin(), busy.end()) - busy.begin());
  for (const char* st : {"ATTN", "ATTN-0", "ATTN-1", "SHARED", "MLP", "HEAD", "DISPATCH", "COMBINE"}) {
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
  r.reductions.push_back("senders symmetric: every GPU sends the same tokens with the layer's expert mix; an exchange on a GPU begins once every GPU has started it");
  r.reductions.push_back(prefill ? "dispatch/combine per GPU from a flow-level simulation of each layer's exchange alone (expected tokens per rank and node), scaled by the fitted in-service kernel time"
                                 : "low-latency dispatch/combine per GPU from its NIC bytes (hose model: its own receive, the busiest sender), not flow-level");
  r.reductions.push_back("stage costs memoised per layer kind; routed-expert cost per GPU memoised by received rows");
  if (!prefill && s.kv_len_max > s.kv_len)
    r.reductions.push_back("FlashMLA cost per GPU from its first micro-batch's KV lengths, for both micro-batches");
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace

InferenceResult simulate_inference(const ClusterConfig& cluster, const InferenceSpec& spec_in) {
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
  InferenceResult r = run_step(cluster, spec);
  if (spec.mtp_depth > 0) {
    InferenceSpec plain = spec;
    plain.mtp_depth = 0;
    plain.acceptance = 0;
    const InferenceResult p = run_step(cluster, plain);
    r.step_s_without_mtp = p.step_s;
    r.tokens_per_s_per_gpu_without_mtp = p.tokens_per_s_per_gpu;
  } else {
    r.step_s_without_mtp = r.step_s;
    r.tokens_per_s_per_gpu_without_mtp = r.tokens_per_s_per_gpu;
  }
  if (!scaled.empty()) r.warnings.push_back(scaled);
  return r;
}

}  // namespace v3sim::models
