#include "topologies/dot.hpp"

namespace v3sim::topologies {
namespace {

std::string name(const Graph& g, VertexId v) {
  const VertexProps& p = g[v];
  switch (p.kind) {
    case VertexKind::kGpu: return "gpu" + std::to_string(p.node) + "_" + std::to_string(p.index);
    case VertexKind::kNvSwitch: return "nvswitch" + std::to_string(p.node);
    case VertexKind::kNic: return "nic" + std::to_string(p.node) + "_" + std::to_string(p.index);
    case VertexKind::kLeaf: return "leaf" + std::to_string(p.plane) + "_" + std::to_string(p.index);
    case VertexKind::kSpine: return "spine" + std::to_string(p.plane) + "_" + std::to_string(p.index);
    case VertexKind::kCore: return "core" + std::to_string(p.index);
  }
  return "?";
}

}  // namespace

std::string to_dot(const Cluster& c) {
  std::string out = "graph cluster {\n  node [shape=box, fontsize=10];\n";
  for (std::size_t i = 0; i < c.edges.size(); i += 2) {  // edges come in (a->b, b->a) pairs
    const EdgeId e = c.edges[i];
    const EdgeProps& p = c.graph[e];
    out += "  " + name(c.graph, boost::source(e, c.graph)) + " -- " + name(c.graph, boost::target(e, c.graph)) +
           " [label=\"" + std::to_string(static_cast<long long>(p.bandwidth / 1e9)) + " GB/s\"];\n";
  }
  out += "}\n";
  return out;
}

}  // namespace v3sim::topologies
