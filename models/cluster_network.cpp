#include "models/cluster_network.hpp"

namespace v3sim::models {

ClusterNetwork::ClusterNetwork(const topologies::Cluster& cluster, sim::TaskGraph& graph, topologies::Router* shared)
    : cluster_(cluster),
      graph_(graph),
      own_(shared ? nullptr : std::make_unique<topologies::Router>(cluster)),
      router_(shared ? shared : own_.get()),
      edge_link_(cluster.edges.size(), kNone) {}

sim::LinkId ClusterNetwork::link(const topologies::EdgeId& edge) {
  const topologies::EdgeProps& p = cluster_.graph[edge];
  if (edge_link_[p.id] == kNone) {
    edge_link_[p.id] = graph_.add_link("edge" + std::to_string(p.id), p.bandwidth, p.latency);
    link_edge_.resize(graph_.links().size(), kNone);
    link_edge_[edge_link_[p.id]] = p.id;
  }
  return edge_link_[p.id];
}

std::vector<sim::LinkId> ClusterNetwork::links(const std::vector<topologies::EdgeId>& path) {
  std::vector<sim::LinkId> out;
  out.reserve(path.size());
  for (const auto& e : path) out.push_back(link(e));
  return out;
}

const topologies::EdgeProps* ClusterNetwork::edge_of(sim::LinkId link) const {
  if (link >= link_edge_.size() || link_edge_[link] == kNone) return nullptr;
  return &cluster_.graph[cluster_.edges[link_edge_[link]]];
}

}  // namespace v3sim::models
