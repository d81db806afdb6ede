#include "models/moe/ep_alltoall.hpp"

#include <chrono>
#include <map>

#include "models/moe/ep_phase_simulator.hpp"
#include "models/sm_partition.hpp"
#include "sim/json_reader.hpp"
#include "topologies/build_cluster.hpp"
#include "topologies/routing.hpp"

namespace v3sim::models {
namespace {

// Dispatch: sender -> (fabric, once per node) -> relay -> (NVLink) -> expert
// GPUs. Combine: the reverse; the relay reduces before the fabric, so fabric
// flows carry one copy per (token, node) both ways (models/moe/ep_flows).
EpPhaseResult run_phase(const topologies::Cluster& c, const EpAllToAllSpec& spec, const TokenRouting& r,
                        double bytes_per_token, const SmPartition& sms, double per_sm, bool combine,
                        topologies::Router* router) {
  EpPhaseSimulator phase(c, spec.ep, r.ranks_per_node, sms, per_sm, combine, router);
  EpPhaseResult res = phase.run(r, bytes_per_token);
  res.bytes_per_token = bytes_per_token;
  // DeepEP's accounting (reference section 6): NVLink counts every received
  // token copy, the receiver's own included; RDMA counts each token once per
  // distinct target node, the sender's own node included.
  const double seconds = static_cast<double>(res.time) * 1e-9;
  double nvl = 0, rdma = 0;
  for (int s = 0; s < spec.ep; ++s)
    for (int d = 0; d < spec.ep; ++d) nvl += static_cast<double>(r.to_rank(s, d));
  for (int s = 0; s < spec.ep; ++s)
    for (int n = 0; n < r.nodes; ++n) rdma += static_cast<double>(r.to_node(s, n));
  res.nvlink_logical_gb_per_s = nvl / spec.ep * bytes_per_token / seconds / 1e9;
  res.rdma_logical_gb_per_s = r.nodes > 1 ? rdma / spec.ep * bytes_per_token / seconds / 1e9 : 0;
  return res;
}

const std::vector<std::string> kDtypes = {"fp8", "bf16"};

}  // namespace

double token_bytes(const std::string& dtype, int hidden) {
  if (dtype == "fp8") return hidden + hidden / 128 * 4.0;  // E4M3 values + an FP32 scale per 128 channels
  return 2.0 * hidden;
}

EpAllToAllSpec parse_ep_alltoall(const nlohmann::json& value, const std::string& pointer) {
  sim::ObjectReader in(value, pointer);
  in.only_keys({"kind", "ep", "tokens_per_rank", "hidden", "topk", "experts", "groups", "group_limit", "dispatch_dtype",
                "combine_dtype", "comm_sms", "comm_offload", "skew", "seed"});
  in.one_of("kind", {"ep_alltoall", "inference"});
  EpAllToAllSpec s;
  s.ep = static_cast<int>(in.integer("ep", 1, 1 << 20));
  s.tokens_per_rank = static_cast<int>(in.optional_integer("tokens_per_rank", 1, 1 << 24).value_or(s.tokens_per_rank));
  s.hidden = static_cast<int>(in.optional_integer("hidden", 128, 1 << 20).value_or(s.hidden));
  s.topk = static_cast<int>(in.optional_integer("topk", 1, 1024).value_or(s.topk));
  s.experts = static_cast<int>(in.optional_integer("experts", 1, 1 << 20).value_or(s.experts));
  s.groups = static_cast<int>(in.optional_integer("groups", 0, 1 << 20).value_or(0));
  s.group_limit = static_cast<int>(in.optional_integer("group_limit", 1, 1 << 20).value_or(s.group_limit));
  s.dispatch_dtype = in.optional_one_of("dispatch_dtype", kDtypes).value_or(s.dispatch_dtype);
  s.combine_dtype = in.optional_one_of("combine_dtype", kDtypes).value_or(s.combine_dtype);
  s.comm_sms = static_cast<int>(in.optional_integer("comm_sms", 1, 1024).value_or(s.comm_sms));
  s.comm_offload = in.optional_boolean("comm_offload").value_or(s.comm_offload);
  s.skew = in.optional_number("skew", 0, 10).value_or(0);
  s.seed = static_cast<std::uint64_t>(in.optional_integer("seed", 0, 1LL << 62).value_or(1));
  if (s.hidden % 128 != 0) throw sim::InputError(in.child_pointer("hidden"), "expected a multiple of 128 (FP8 scales per 128 channels)");
  if (s.experts % s.ep != 0)
    throw sim::InputError(in.child_pointer("experts"), "expected experts divisible by ep (" + std::to_string(s.ep) + ")");
  return s;
}

EpPhaseResult simulate_ep_phase(const topologies::Cluster& cluster, const EpAllToAllSpec& spec,
                                const TokenRouting& routing, const SmPartition& sms, double per_sm, bool combine,
                                topologies::Router* router) {
  const std::string& dtype = combine ? spec.combine_dtype : spec.dispatch_dtype;
  return run_phase(cluster, spec, routing, token_bytes(dtype, spec.hidden), sms, per_sm, combine, router);
}

EpResult simulate_ep_alltoall(const ClusterConfig& cluster, const EpAllToAllSpec& spec) {
  const auto t0 = std::chrono::steady_clock::now();
  const topologies::Cluster c = topologies::build_cluster(cluster.spec);
  if (spec.ep > static_cast<int>(c.gpus.size()))
    throw sim::InputError("/workload/ep", "expected at most the cluster's " + std::to_string(c.gpus.size()) + " GPUs");
  if (spec.ep > c.gpus_per_node && spec.ep % c.gpus_per_node != 0)
    throw sim::InputError("/workload/ep", "expected whole nodes of " + std::to_string(c.gpus_per_node) + " GPUs");
  RoutingSpec rs;
  rs.ranks = spec.ep;
  rs.ranks_per_node = c.gpus_per_node;
  rs.tokens_per_rank = spec.tokens_per_rank;
  rs.experts = spec.experts;
  rs.topk = spec.topk;
  const int nodes = std::max(1, spec.ep / c.gpus_per_node);
  rs.groups = spec.groups > 0 ? spec.groups : nodes;
  rs.group_limit = std::min(spec.group_limit, rs.groups);
  rs.skew = spec.skew;
  rs.seed = spec.seed;
  if (rs.experts % rs.groups != 0)
    throw sim::InputError(spec.groups > 0 ? "/workload/groups" : "/workload/experts",
                          "expected experts (" + std::to_string(rs.experts) + ") divisible by the expert groups (" +
                              std::to_string(rs.groups) + (spec.groups > 0 ? ")" : ", one per node)"));
  if (rs.topk > rs.group_limit * (rs.experts / rs.groups))
    throw sim::InputError(spec.topk > rs.experts ? "/workload/topk" : "/workload/group_limit",
                          "top-" + std::to_string(rs.topk) + " needs more experts than the " +
                              std::to_string(rs.group_limit) + " allowed groups of " +
                              std::to_string(rs.experts / rs.groups) + " hold");

  EpResult r;
  r.spec = spec;
  r.routing = route_tokens(rs);
  r.comm_gb_per_s_per_sm = cluster.gpu.comm_gb_per_s_per_sm;
  const SmPartition sms{cluster.gpu.sms, spec.comm_sms, spec.comm_offload};
  const double per_sm = cluster.gpu.comm_gb_per_s_per_sm * 1e9;
  if (!spec.comm_offload && spec.comm_sms >= cluster.gpu.sms)
    throw sim::InputError("/workload/comm_sms", "expected fewer than the GPU's " + std::to_string(cluster.gpu.sms) + " SMs");
  r.dispatch = simulate_ep_phase(c, spec, r.routing, sms, per_sm, false);
  r.combine = simulate_ep_phase(c, spec, r.routing, sms, per_sm, true);
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace v3sim::models
