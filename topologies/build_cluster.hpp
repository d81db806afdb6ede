#pragma once
// Builds the cluster graph: nodes (GPUs on an NVSwitch, NICs on PCIe) and
// the fabric that joins the NICs.
#include "topologies/cluster_graph.hpp"
#include "topologies/cluster_spec.hpp"

namespace v3sim::topologies {

Cluster build_cluster(const ClusterSpec& spec);

// The fabric builders (one file each). `endpoints` are NIC vertices in the
// order the fabric should attach them to leaves; each run of `group`
// consecutive endpoints fills leaves of its own (a rail; 0: one group).
void build_two_layer_fat_tree(Cluster& c, const FabricSpec& f, const std::vector<VertexId>& endpoints,
                              double link_bandwidth, int plane, int group = 0);
void build_three_layer_fat_tree(Cluster& c, const FabricSpec& f, const std::vector<VertexId>& endpoints,
                                double link_bandwidth);

}  // namespace v3sim::topologies
