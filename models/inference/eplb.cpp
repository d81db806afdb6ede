#include "models/inference/eplb.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace v3sim::models {
namespace {

struct Packing {
  std::vector<int> pack;     // pack of each item
  std::vector<int> rank_in;  // its position in the pack
};

// Items to packs of equal count, heaviest first, each into the lightest pack
// that still has room (the first such on ties).
Packing balanced_packing(const std::vector<double>& weight, int packs) {
  const int n = static_cast<int>(weight.size());
  if (packs <= 0 || n % packs != 0) throw std::invalid_argument("balanced_packing: items do not divide into packs");
  const int per_pack = n / packs;
  Packing out{std::vector<int>(n), std::vector<int>(n, 0)};
  if (per_pack == 1) {
    std::iota(out.pack.begin(), out.pack.end(), 0);
    return out;
  }
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return weight[a] > weight[b]; });
  std::vector<double> load(packs, 0);
  std::vector<int> items(packs, 0);
  for (int item : order) {
    int best = -1;
    for (int p = 0; p < packs; ++p)
      if (items[p] < per_pack && (best < 0 || load[p] < load[best])) best = p;
    out.pack[item] = best;
    out.rank_in[item] = items[best]++;
    load[best] += weight[item];
  }
  return out;
}

struct Replication {
  std::vector<int> phy2log, rank, logcnt;
};

// Each extra replica goes to the expert with the largest load per replica.
Replication replicate_experts(const std::vector<double>& weight, int num_phy) {
  const int num_log = static_cast<int>(weight.size());
  if (num_phy < num_log) throw std::invalid_argument("replicate_experts: fewer replicas than experts");
  Replication r{std::vector<int>(num_phy), std::vector<int>(num_phy, 0), std::vector<int>(num_log, 1)};
  std::iota(r.phy2log.begin(), r.phy2log.begin() + num_log, 0);
  for (int i = num_log; i < num_phy; ++i) {
    int best = 0;
    for (int e = 1; e < num_log; ++e)
      if (weight[e] / r.logcnt[e] > weight[best] / r.logcnt[best]) best = e;
    r.phy2log[i] = best;
    r.rank[i] = r.logcnt[best]++;
  }
  return r;
}

std::vector<int> inverse(const std::vector<int>& perm) {
  std::vector<int> inv(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) inv[static_cast<std::size_t>(perm[i])] = static_cast<int>(i);
  return inv;
}

ExpertPlacement hierarchical(const std::vector<double>& weight, int num_phy, int groups, int nodes, int gpus) {
  const int num_log = static_cast<int>(weight.size());
  if (groups <= 0 || num_log % groups != 0 || groups % nodes != 0 || gpus % nodes != 0 || num_phy % gpus != 0)
    throw std::invalid_argument("rebalance_experts: sizes do not divide");
  const int group_size = num_log / groups;
  const int groups_per_node = groups / nodes;
  const int phy_per_gpu = num_phy / gpus;
  const int log_per_node = num_log / nodes;
  const int phy_per_node = num_phy / nodes;

  // Step 1: expert groups to nodes.
  std::vector<double> group_load(groups, 0);
  for (int e = 0; e < num_log; ++e) group_load[e / group_size] += weight[e];
  const Packing gp = balanced_packing(group_load, nodes);
  std::vector<int> log2mlog(num_log);
  for (int e = 0; e < num_log; ++e) {
    const int g = e / group_size;
    log2mlog[e] = (gp.pack[g] * groups_per_node + gp.rank_in[g]) * group_size + e % group_size;
  }
  const std::vector<int> mlog2log = inverse(log2mlog);

  ExpertPlacement out{std::vector<int>(num_phy), std::vector<int>(num_phy), std::vector<int>(num_log)};
  std::vector<int> mlogcnt(num_log);
  for (int n = 0; n < nodes; ++n) {
    // Step 2: replicas within the node.
    std::vector<double> node_load(log_per_node);
    for (int i = 0; i < log_per_node; ++i) node_load[i] = weight[mlog2log[n * log_per_node + i]];
    const Replication rep = replicate_experts(node_load, phy_per_node);
    for (int i = 0; i < log_per_node; ++i) mlogcnt[n * log_per_node + i] = rep.logcnt[i];
    // Step 3: the node's replicas to its GPUs.
    std::vector<double> phy_load(phy_per_node);
    for (int p = 0; p < phy_per_node; ++p) phy_load[p] = node_load[rep.phy2log[p]] / rep.logcnt[rep.phy2log[p]];
    const Packing pp = balanced_packing(phy_load, gpus / nodes);
    std::vector<int> phy2pphy(phy_per_node);
    for (int p = 0; p < phy_per_node; ++p) phy2pphy[p] = pp.pack[p] * phy_per_gpu + pp.rank_in[p];
    const std::vector<int> pphy2phy = inverse(phy2pphy);
    for (int q = 0; q < phy_per_node; ++q) {
      const int p = pphy2phy[q];
      out.phy2log[n * phy_per_node + q] = mlog2log[rep.phy2log[p] + n * log_per_node];
      out.replica_rank[n * phy_per_node + q] = rep.rank[p];
    }
  }
  for (int e = 0; e < num_log; ++e) out.logcnt[e] = mlogcnt[log2mlog[e]];
  return out;
}

}  // namespace

bool eplb_hierarchical(int num_groups, int num_nodes) { return num_nodes > 0 && num_groups % num_nodes == 0; }

ExpertPlacement rebalance_experts(const std::vector<double>& weight, int num_replicas, int num_groups, int num_nodes,
                                  int num_gpus) {
  if (eplb_hierarchical(num_groups, num_nodes))
    return hierarchical(weight, num_replicas, num_groups, num_nodes, num_gpus);
  return hierarchical(weight, num_replicas, 1, 1, num_gpus);
}

ExpertPlacement identity_placement(int experts) {
  ExpertPlacement p{std::vector<int>(experts), std::vector<int>(experts, 0), std::vector<int>(experts, 1)};
  std::iota(p.phy2log.begin(), p.phy2log.end(), 0);
  return p;
}

}  // namespace v3sim::models
