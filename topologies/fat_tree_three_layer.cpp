// Three-layer k-ary fat-tree (Al-Fares et al., SIGCOMM 2008): pods of k/2
// edge and k/2 aggregation switches, (k/2)^2 core switches; edge switches give
// k/2 ports to endpoints, every edge switch links to every aggregation switch
// of its pod, aggregation switch j links to cores j*k/2 .. j*k/2 + k/2 - 1.
// Full size: k^3/4 endpoints on 5k^2/4 switches. Smaller clusters fill pods
// in order; the core layer is always complete.
#include <algorithm>

#include "topologies/build_cluster.hpp"

namespace v3sim::topologies {

void build_three_layer_fat_tree(Cluster& c, const FabricSpec& f, const std::vector<VertexId>& endpoints, double bw) {
  const int half = f.switch_ports / 2;
  const int n = static_cast<int>(endpoints.size());
  const int edges = (n + half - 1) / half;
  const int pods = (edges + half - 1) / half;
  std::vector<VertexId> edge, agg, core;
  for (int e = 0; e < edges; ++e) edge.push_back(c.add_vertex({VertexKind::kLeaf, -1, e, 0}));
  for (int a = 0; a < pods * half; ++a) agg.push_back(c.add_vertex({VertexKind::kSpine, -1, a, 0}));
  for (int x = 0; x < half * half; ++x) core.push_back(c.add_vertex({VertexKind::kCore, -1, x, 0}));
  for (int i = 0; i < n; ++i) c.connect(endpoints[i], edge[i / half], LinkKind::kFabric, bw, f.link_latency);
  for (int e = 0; e < edges; ++e)
    for (int j = 0; j < half; ++j)
      c.connect(edge[e], agg[(e / half) * half + j], LinkKind::kFabric, bw, f.link_latency);
  for (int p = 0; p < pods; ++p)
    for (int j = 0; j < half; ++j)
      for (int u = 0; u < half; ++u)
        c.connect(agg[p * half + j], core[j * half + u], LinkKind::kFabric, bw, f.link_latency);
  c.fabric.leaves = edges;
  c.fabric.spines = pods * half;
  c.fabric.cores = half * half;
  const double core_links = static_cast<double>(pods) * half * half * bw;
  c.fabric.bisection_bandwidth = std::min(n * bw, pods > 1 ? core_links : n * bw) / 2;
}

}  // namespace v3sim::topologies
