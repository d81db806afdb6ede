#pragma once
// Graphviz DOT of the cluster graph (one undirected edge per cable).
#include <string>

#include "topologies/cluster_graph.hpp"

namespace v3sim::topologies {

std::string to_dot(const Cluster& cluster);

}  // namespace v3sim::topologies
