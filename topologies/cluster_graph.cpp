#include "topologies/cluster_graph.hpp"

namespace v3sim::topologies {

void Cluster::connect(VertexId a, VertexId b, LinkKind kind, double bandwidth, sim::Time latency) {
  for (auto [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
    const auto id = static_cast<std::uint32_t>(edges.size());
    edges.push_back(boost::add_edge(from, to, EdgeProps{kind, bandwidth, latency, id}, graph).first);
  }
}

}  // namespace v3sim::topologies
