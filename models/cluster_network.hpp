#pragma once
// Binds a cluster graph to a task graph: one simulator link per directed
// edge of the cluster, made the first time a flow crosses it, so a workload
// pays only for the links it uses.
#include <memory>
#include <vector>

#include "sim/task_graph.hpp"
#include "topologies/cluster_graph.hpp"
#include "topologies/routing.hpp"

namespace v3sim::models {

class ClusterNetwork {
 public:
  // `shared`: the cluster's one router, so that every workload on it reuses
  // the same path caches; when null the network makes its own.
  ClusterNetwork(const topologies::Cluster& cluster, sim::TaskGraph& graph, topologies::Router* shared = nullptr);

  sim::LinkId link(const topologies::EdgeId& edge);
  std::vector<sim::LinkId> links(const std::vector<topologies::EdgeId>& path);
  // The cluster edge behind a simulator link made by link(); for links added
  // to the graph by others, nullptr.
  const topologies::EdgeProps* edge_of(sim::LinkId link) const;

  topologies::Router& router() { return *router_; }
  const topologies::Cluster& cluster() const { return cluster_; }
  sim::TaskGraph& graph() { return graph_; }

 private:
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};
  const topologies::Cluster& cluster_;
  sim::TaskGraph& graph_;
  std::unique_ptr<topologies::Router> own_;
  topologies::Router* router_;
  std::vector<std::uint32_t> edge_link_;  // cluster edge id -> simulator link
  std::vector<std::uint32_t> link_edge_;  // simulator link -> cluster edge id (kNone: not ours)
};

}  // namespace v3sim::models
