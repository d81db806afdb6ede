// Two-layer (leaf-spine) fat-tree. A leaf of k ports gives down = k*r/(r+1)
// ports to endpoints and the rest to spines (r: oversubscription, down:up);
// spines = ceil(leaves * up / k). Leaf l's uplink u goes to spine
// (l*up + u) mod spines; parallel cables between one leaf and one spine are
// one link of their summed bandwidth. k = 64, r = 1: 32 down, 32 up, 2048
// endpoints on 64 leaves and 32 spines.
#include <algorithm>
#include <cmath>
#include <map>

#include "topologies/build_cluster.hpp"

namespace v3sim::topologies {

void build_two_layer_fat_tree(Cluster& c, const FabricSpec& f, const std::vector<VertexId>& endpoints,
                              double bw, int plane, int group) {
  const int k = f.switch_ports;
  const int down = std::max(1, static_cast<int>(std::floor(k * f.oversubscription / (f.oversubscription + 1))));
  const int up = k - down;
  const int n = static_cast<int>(endpoints.size());
  if (group <= 0) group = n;
  const int leaves_per_group = (group + down - 1) / down;
  const int leaves = ((n + group - 1) / group) * leaves_per_group;
  std::vector<VertexId> leaf;
  for (int l = 0; l < leaves; ++l) leaf.push_back(c.add_vertex({VertexKind::kLeaf, -1, c.fabric.leaves + l, plane}));
  for (int e = 0; e < n; ++e)
    c.connect(endpoints[e], leaf[(e / group) * leaves_per_group + (e % group) / down], LinkKind::kFabric, bw,
              f.link_latency);
  const int spines = leaves > 1 ? (leaves * up + k - 1) / k : 0;
  std::vector<VertexId> spine;
  for (int s = 0; s < spines; ++s) spine.push_back(c.add_vertex({VertexKind::kSpine, -1, c.fabric.spines + s, plane}));
  for (int l = 0; l < leaves && spines > 0; ++l) {
    std::map<int, int> cables;  // spine -> parallel cables from this leaf
    for (int u = 0; u < up; ++u) ++cables[(l * up + u) % spines];
    for (auto [s, count] : cables) c.connect(leaf[l], spine[s], LinkKind::kFabric, count * bw, f.link_latency);
  }
  c.fabric.leaves += leaves;
  c.fabric.spines += spines;
  // Half the endpoints talking to the other half cross the spines: limited
  // by the endpoints' own bandwidth or by the leaves' uplinks.
  const double endpoints_bw = n * bw;
  const double uplink = leaves > 1 ? static_cast<double>(leaves) * up * bw : endpoints_bw;
  c.fabric.bisection_bandwidth += std::min(endpoints_bw, uplink) / 2;
}

}  // namespace v3sim::topologies
