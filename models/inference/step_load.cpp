#include "models/inference/step_load.hpp"

#include <algorithm>
#include <memory>
#include <numeric>

#include "models/inference/eplb.hpp"
#include "models/inference/exchange.hpp"
#include "models/inference/expert_load.hpp"
#include "topologies/build_cluster.hpp"

namespace v3sim::models {
namespace {

double tokens_per_gpu_per_micro_batch(const InferenceSpec& s) {
  const int mbs = s.deployment.two_micro_batch ? 2 : 1;
  return s.phase == InferencePhase::kPrefill ? static_cast<double>(s.tokens_per_gpu) / mbs
                                             : static_cast<double>(s.requests_per_gpu) / mbs * (1 + s.mtp_depth);
}

// The tokens of one micro-batch over the unit: what its load draw depends on
// (each micro-batch routes its own tokens; both of a step are given the same
// draw, docs/inference-model.md).
long long micro_batch_copies_key(const InferenceSpec& s) {
  const int mbs = s.deployment.two_micro_batch ? 2 : 1;
  if (!s.prefill_ranks.empty()) {
    long long sum = 0;
    for (const auto& [tokens, prompt] : s.prefill_ranks) sum += tokens;
    return std::llround(static_cast<double>(sum) / mbs);
  }
  return std::llround(tokens_per_gpu_per_micro_batch(s) * s.deployment.ep);
}

// The shares and imbalance of `out`: the step's draw, placed.
void place_load(const ClusterConfig& cluster, const InferenceSpec& s, StepLoad& out) {
  const ModelConfig& m = s.model;
  const Deployment& d = s.deployment;
  const int ep = d.ep;
  const int moe_layers = m.moe_layers() + s.mtp_depth;

  // The draw EPLB plans on and the micro-batch's own.
  const double step_tokens = static_cast<double>(micro_batch_copies_key(s));
  const auto shares = s.load.shares ? *s.load.shares : expected_shares(s.load, m.routed_experts, moe_layers);
  const bool shared_routed = d.shared == SharedExpert::kRouted;
  const auto plan = s.load.plan_shares ? draw_counts(*s.load.plan_shares, step_tokens, m.topk, shared_routed, false, 0)
                                       : draw_counts(shares, step_tokens, m.topk, shared_routed,
                                                     s.load.noise && !s.load.plan_on_expectation, s.load.plan_seed);
  const auto eval = draw_counts(shares, step_tokens, m.topk, shared_routed, s.load.noise, s.load.seed);
  out.share.resize(static_cast<std::size_t>(moe_layers));
  for (int l = 0; l < moe_layers; ++l) {
    const std::size_t i = static_cast<std::size_t>(l);
    out.share[i] = gpu_shares(eval[i], place_layer(cluster, s, plan[i]), ep);
    out.imbalance_before += max_over_mean(contiguous_shares(eval[i], ep)) / moe_layers;
    out.imbalance_after += max_over_mean(out.share[i]) / moe_layers;
  }
}

// The exchanges' per-GPU costs of `out`, from its shares.
void cost_exchanges(const ClusterConfig& cluster, const InferenceSpec& s, KernelCoster& cost, StepLoad& out) {
  const ModelConfig& m = s.model;
  const Deployment& d = s.deployment;
  const bool prefill = s.phase == InferencePhase::kPrefill;
  const int ep = d.ep;
  const int query = 1 + s.mtp_depth;
  const int moe_layers = m.moe_layers() + s.mtp_depth;
  const double tokens_per_gpu_mb = tokens_per_gpu_per_micro_batch(s);

  // Prefill's exchanges are flows on the cluster's fabric (one router for
  // every layer's); decode's low-latency rounds use the fitted rates (the
  // fabric is small beside its step).
  const topologies::Cluster fabric = topologies::build_cluster(cluster.spec);
  topologies::Router router(fabric);
  const LowLatencyLink ll_d = low_latency_link(s.profile, "ep_ll_dispatch", cluster.gpu, d.low_latency_nvlink);
  const LowLatencyLink ll_c = low_latency_link(s.profile, "ep_ll_combine", cluster.gpu, d.low_latency_nvlink);
  const double msg_d = low_latency_message_bytes(m.hidden, true), msg_c = low_latency_message_bytes(m.hidden, false);
  std::unique_ptr<NormalExchanger> normal;
  if (prefill) normal = std::make_unique<NormalExchanger>(fabric, router, cluster.gpu, s.profile, ep, m.hidden, d.comm_sms);
  out.dispatch.resize(static_cast<std::size_t>(moe_layers));
  out.combine.resize(static_cast<std::size_t>(moe_layers));
  for (int l = 0; l < moe_layers; ++l) {
    const std::size_t i = static_cast<std::size_t>(l);
    const std::vector<double>& sh = out.share[i];
    // The MTP module's layer sends the main model's tokens only.
    const double sent = l >= m.moe_layers() ? tokens_per_gpu_mb / query : tokens_per_gpu_mb;
    ExchangeCost& xd = out.dispatch[i];
    ExchangeCost& xc = out.combine[i];
    if (prefill) {
      // Ranks of unequal batches send their own tokens.
      std::vector<double> own;
      for (const auto& [tokens, prompt] : s.prefill_ranks)
        own.push_back(static_cast<double>(tokens) / (d.two_micro_batch ? 2 : 1) * sent / tokens_per_gpu_mb);
      const NormalExchange x = (*normal)(sh, sent, s.selections(), own);
      xd.time_s = x.dispatch_s;
      xc.time_s = x.combine_s;
      xd.nic_bytes = x.dispatch_nic_bytes;
      xc.nic_bytes = x.combine_nic_bytes;
      continue;
    }
    const LowLatencyExchange ld = low_latency_exchange(ll_d, sh, sent, s.selections(), msg_d, true);
    const LowLatencyExchange lc = low_latency_exchange(ll_c, sh, sent, s.selections(), msg_c, false);
    xd.round_s = ld.round_s;
    xd.nic_bytes = ld.nic_bytes;
    xd.late_s = ld.late_s;
    xc.round_s = lc.round_s;
    xc.nic_bytes = lc.nic_bytes;
    xc.late_s = lc.late_s;
    const double send_d = cost.seconds(dispatch_send_ops(sent, msg_d, m.hidden));
    const double recv_c = cost.seconds(combine_recv_ops(sent, s.selections(), msg_c, m.hidden));
    for (int g = 0; g < ep; ++g) {
      const double rows = sh[static_cast<std::size_t>(g)] * sent * ep * s.selections();
      xd.send_s.push_back(send_d);
      xd.recv_s.push_back(cost.seconds(dispatch_recv_ops(rows, msg_d)));
      xc.send_s.push_back(cost.seconds(combine_send_ops(rows, msg_c)));
      xc.recv_s.push_back(recv_c);
    }
  }
}

}  // namespace

ExpertPlacement place_layer(const ClusterConfig& cluster, const InferenceSpec& s, const std::vector<double>& plan_counts) {
  const Deployment& d = s.deployment;
  const int ep = d.ep;
  const int per_node = std::min(ep, cluster.spec.node.gpus);
  const int nodes = std::max(1, ep / per_node);
  const int placed = s.placed_experts();
  const int slots = d.experts_per_gpu * ep;
  const int groups = placed % s.model.expert_groups == 0 ? s.model.expert_groups : 1;
  if (d.placement == Placement::kEplb) return rebalance_experts(plan_counts, slots, groups, nodes, ep);
  if (d.placement == Placement::kStatic)
    return rebalance_experts(std::vector<double>(static_cast<std::size_t>(placed), 1.0), slots, groups, nodes, ep);
  return identity_placement(placed);
}

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

std::vector<double> contiguous_shares(const std::vector<double>& counts, int gpus) {
  std::vector<double> g(static_cast<std::size_t>(gpus), 0);
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  const std::size_t n = counts.size();
  for (std::size_t e = 0; e < n; ++e) g[e * static_cast<std::size_t>(gpus) / n] += counts[e] / total;
  return g;
}

StepLoad step_load(const ClusterConfig& cluster, const InferenceSpec& s, KernelCoster& cost) {
  StepLoad out;
  place_load(cluster, s, out);
  cost_exchanges(cluster, s, cost, out);
  return out;
}

const StepLoad& StepLoadCache::get(const ClusterConfig& cluster, const InferenceSpec& s, KernelCoster& cost) {
  // Ranks of unequal batches are priced once each, not kept.
  if (!s.prefill_ranks.empty()) return scratch_ = step_load(cluster, s, cost);
  // A step of two micro-batches of t tokens loads its GPUs as a step of one
  // micro-batch of t does: the same draw, the same exchanges.
  const auto key = std::make_pair(tokens_per_gpu_per_micro_batch(s), s.mtp_depth);
  auto it = loads_.find(key);
  if (it != loads_.end()) return it->second;
  return loads_[key] = step_load(cluster, s, cost);
}

}  // namespace v3sim::models
