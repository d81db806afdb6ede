#include "models/inference/exchange.hpp"

#include <algorithm>
#include <cmath>

#include "models/moe/ep_alltoall.hpp"
#include "models/moe/token_routing.hpp"
#include "models/sm_partition.hpp"

namespace v3sim::models {

LowLatencyLink low_latency_link(const calibration::Profile& p, const std::string& cls, const GpuPreset& gpu,
                                bool use_nvlink) {
  const calibration::KernelClassParams& k = p.kernel_class(cls);
  const calibration::KernelClassParams& nvl = p.kernel_class(cls + "_nvlink");
  LowLatencyLink l;
  // The profile is carried to the GPU (profile_for_gpu), so its rates are this GPU's.
  l.nic_bytes_per_s = k.gb_per_s > 0 ? k.gb_per_s * 1e9 : gpu.nic_achievable_gb_per_s * gpu.nics * 1e9;
  l.nic_line_bytes_per_s = gpu.nic_gbit_per_s / 8 * gpu.nics * 1e9;
  l.nvlink_bytes_per_s = (nvl.gb_per_s > 0 ? nvl.gb_per_s : gpu.nvlink_achievable_gb_per_s) * 1e9;
  l.nvlink_domain = std::max(1, gpu.gpus_per_nvlink_domain);
  l.use_nvlink = use_nvlink;
  l.fixed_s = k.launch_us * 1e-6;
  return l;
}

double low_latency_message_bytes(int hidden, bool dispatch) {
  return dispatch ? hidden + hidden / 128 * 4.0 + 16 : 2.0 * hidden;
}

LowLatencyExchange low_latency_exchange(const LowLatencyLink& link, const std::vector<double>& share, double tokens,
                                        int copies, double message_bytes, bool dispatch) {
  const int n = static_cast<int>(share.size());
  const double per_gpu = tokens * copies * message_bytes;  // bytes every GPU's tokens take to all experts
  auto nvl_peer = [&](int a, int b) { return link.use_nvlink && a / link.nvlink_domain == b / link.nvlink_domain; };
  // Dispatch: GPU s sends share[d] x per_gpu to each d; receives share[g] x per_gpu from each s.
  std::vector<double> send_nic(n, 0), send_nvl(n, 0), recv_nic(n, 0), recv_nvl(n, 0);
  std::vector<double> peer_nic(n, 0), peer_nvl(n, 0);  // the most one peer sends to this GPU
  for (int s = 0; s < n; ++s)
    for (int d = 0; d < n; ++d) {
      if (s == d) continue;
      const double b = share[static_cast<std::size_t>(d)] * per_gpu;
      const int from = dispatch ? s : d, to = dispatch ? d : s;  // combine runs the copies back
      const std::size_t f = static_cast<std::size_t>(from), t = static_cast<std::size_t>(to);
      const bool nvl = nvl_peer(s, d);
      (nvl ? send_nvl : send_nic)[f] += b;
      (nvl ? recv_nvl : recv_nic)[t] += b;
      double& peer = (nvl ? peer_nvl : peer_nic)[t];
      peer = std::max(peer, b);
    }
  const double max_send_nic = *std::max_element(send_nic.begin(), send_nic.end());
  const double max_send_nvl = *std::max_element(send_nvl.begin(), send_nvl.end());
  LowLatencyExchange x;
  for (int g = 0; g < n; ++g) {
    const std::size_t i = static_cast<std::size_t>(g);
    const double nic = std::max(recv_nic[i], max_send_nic) / link.nic_bytes_per_s;
    const double nvl = link.use_nvlink ? std::max(recv_nvl[i], max_send_nvl) / link.nvlink_bytes_per_s : 0;
    x.round_s.push_back(link.fixed_s + std::max(nic, nvl));
    x.nic_bytes.push_back(std::max(recv_nic[i], send_nic[i]));
    const double late_nvl = link.use_nvlink ? peer_nvl[i] / link.nvlink_bytes_per_s : 0;
    x.late_s.push_back(link.fixed_s + std::max(peer_nic[i] / link.nic_bytes_per_s, late_nvl));
  }
  return x;
}

struct NormalExchanger::Phases {
  EpPhaseSimulator dispatch, combine;
};

NormalExchanger::NormalExchanger(const topologies::Cluster& cluster, topologies::Router& router, const GpuPreset& gpu,
                                 const calibration::Profile& p, int ep, int hidden, int comm_sms)
    : ep_(ep),
      hidden_(hidden),
      per_node_(std::min(ep, cluster.gpus_per_node)),
      nodes_(std::max(1, ep / std::min(ep, cluster.gpus_per_node))),
      dispatch_(p.kernel_class("ep_dispatch")),
      combine_(p.kernel_class("ep_combine")) {
  const SmPartition sms{gpu.sms, comm_sms, false};
  const double per_sm = (p.comm_gb_per_s_per_sm > 0 ? p.comm_gb_per_s_per_sm : gpu.comm_gb_per_s_per_sm) * 1e9;
  phases_ = std::make_unique<Phases>(Phases{EpPhaseSimulator(cluster, ep, per_node_, sms, per_sm, false, &router),
                                            EpPhaseSimulator(cluster, ep, per_node_, sms, per_sm, true, &router)});
}

NormalExchanger::~NormalExchanger() = default;

NormalExchange NormalExchanger::operator()(const std::vector<double>& share, double tokens, int copies,
                                           const std::vector<double>& sender_tokens) {
  const int ep = ep_, per_node = per_node_, nodes = nodes_;
  // Expected tokens per (sender, rank) and (sender, node): a token with
  // `copies` experts reaches a rank holding a share q of the copies with
  // probability 1 - (1 - q)^copies (independent picks; docs/inference-model.md).
  TokenRouting r;
  r.ranks = ep;
  r.nodes = nodes;
  r.ranks_per_node = per_node;
  r.tokens_to_rank.assign(static_cast<std::size_t>(ep) * ep, 0);
  r.tokens_to_node.assign(static_cast<std::size_t>(ep) * nodes, 0);
  std::vector<double> node_share(static_cast<std::size_t>(nodes), 0), reach(static_cast<std::size_t>(ep)),
      node_reach(static_cast<std::size_t>(nodes));
  for (int d = 0; d < ep; ++d) node_share[static_cast<std::size_t>(d / per_node)] += share[static_cast<std::size_t>(d)];
  for (int d = 0; d < ep; ++d)
    reach[static_cast<std::size_t>(d)] = 1 - std::pow(1 - std::min(1.0, share[static_cast<std::size_t>(d)]), copies);
  for (int nd = 0; nd < nodes; ++nd)
    node_reach[static_cast<std::size_t>(nd)] = 1 - std::pow(1 - std::min(1.0, node_share[static_cast<std::size_t>(nd)]), copies);
  for (int s = 0; s < ep; ++s) {
    const double own = sender_tokens.empty() ? tokens : sender_tokens[static_cast<std::size_t>(s)];
    for (int d = 0; d < ep; ++d)
      r.tokens_to_rank[static_cast<std::size_t>(s * ep + d)] = std::llround(own * reach[static_cast<std::size_t>(d)]);
    for (int nd = 0; nd < nodes; ++nd)
      r.tokens_to_node[static_cast<std::size_t>(s * nodes + nd)] = std::llround(own * node_reach[static_cast<std::size_t>(nd)]);
  }
  NormalExchange out;
  for (bool combine : {false, true}) {
    const EpPhaseResult phase = (combine ? phases_->combine : phases_->dispatch).run(r, token_bytes(combine ? "bf16" : "fp8", hidden_));
    const calibration::KernelClassParams& k = combine ? combine_ : dispatch_;
    std::vector<double> t(static_cast<std::size_t>(ep), 0), sent(t), received(t);
    for (const EpFlowRecord& f : phase.flow_records) {
      for (int g : {f.from_gpu, f.to_gpu})
        if (g < ep) t[static_cast<std::size_t>(g)] = std::max(t[static_cast<std::size_t>(g)], static_cast<double>(f.end) * 1e-9);
      if (!f.fabric) continue;
      if (f.from_gpu < ep) sent[static_cast<std::size_t>(f.from_gpu)] += f.bytes;
      if (f.to_gpu < ep) received[static_cast<std::size_t>(f.to_gpu)] += f.bytes;
    }
    std::vector<double>& nic = combine ? out.combine_nic_bytes : out.dispatch_nic_bytes;
    for (int g = 0; g < ep; ++g)
      nic.push_back(std::max(sent[static_cast<std::size_t>(g)], received[static_cast<std::size_t>(g)]));
    // The in-service kernel time over the standalone flow time, as fitted on
    // the training trace for the same kernels, plus its launch.
    for (double& x : t) x = k.launch_us * 1e-6 + k.time_scale * x;
    (combine ? out.combine_s : out.dispatch_s) = std::move(t);
  }
  return out;
}

NormalExchange normal_exchange_seconds(const topologies::Cluster& cluster, topologies::Router& router, const GpuPreset& gpu,
                                       const calibration::Profile& p, const std::vector<double>& share, double tokens,
                                       int copies, int hidden, int comm_sms, const std::vector<double>& sender_tokens) {
  return NormalExchanger(cluster, router, gpu, p, static_cast<int>(share.size()), hidden, comm_sms)(share, tokens, copies,
                                                                                                     sender_tokens);
}

}  // namespace v3sim::models
