#include "topologies/build_cluster.hpp"

#include <stdexcept>

namespace v3sim::topologies {
namespace {

// GPUs on one aggregated NVSwitch (a node's NVSwitch chips act as one
// non-blocking crossbar); NIC i on PCIe to GPU i * gpus / nics.
void build_nodes(Cluster& c, const ClusterSpec& spec) {
  const NodeSpec& n = spec.node;
  for (int node = 0; node < spec.nodes; ++node) {
    const VertexId sw = c.add_vertex({VertexKind::kNvSwitch, node, 0, 0});
    for (int g = 0; g < n.gpus; ++g) {
      c.gpus.push_back(c.add_vertex({VertexKind::kGpu, node, g, 0}));
      c.connect(c.gpus.back(), sw, LinkKind::kNvLink, n.nvlink_bandwidth, n.nvlink_latency);
    }
    for (int i = 0; i < n.nics; ++i) {
      const int plane = spec.fabric.kind == FabricKind::kMultiPlaneFatTree ? i % spec.fabric.planes : 0;
      c.nics.push_back(c.add_vertex({VertexKind::kNic, node, i, plane}));
      c.connect(c.gpu(node, i * n.gpus / n.nics), c.nics.back(), LinkKind::kPcie, n.pcie_bandwidth, n.pcie_latency);
    }
  }
}

}  // namespace

Cluster build_cluster(const ClusterSpec& spec) {
  if (spec.nodes < 1 || spec.node.gpus < 1 || spec.node.nics < 1)
    throw std::invalid_argument("a cluster needs at least one node, GPU and NIC");
  if (spec.fabric.switch_ports < 2) throw std::invalid_argument("switches need at least 2 ports");
  Cluster c;
  c.nodes = spec.nodes;
  c.gpus_per_node = spec.node.gpus;
  c.nics_per_node = spec.node.nics;
  build_nodes(c, spec);
  const double bw = spec.node.nic_bandwidth;
  const FabricSpec& f = spec.fabric;
  c.fabric.kind = fabric_kind_name(f.kind);
  switch (f.kind) {
    case FabricKind::kTwoLayerFatTree:
      build_two_layer_fat_tree(c, f, c.nics, bw, 0);
      break;
    case FabricKind::kRailOptimized: {
      // Rail i (NIC i of every node) fills leaves of its own; spines are shared.
      std::vector<VertexId> rail_major;
      for (int i = 0; i < spec.node.nics; ++i)
        for (int node = 0; node < spec.nodes; ++node) rail_major.push_back(c.nic(node, i));
      build_two_layer_fat_tree(c, f, rail_major, bw, 0, spec.nodes);
      break;
    }
    case FabricKind::kMultiPlaneFatTree:
      if (f.planes < 1 || spec.node.nics % f.planes != 0)
        throw std::invalid_argument("multi-plane fabric needs planes dividing the NICs per node");
      for (int p = 0; p < f.planes; ++p) {
        std::vector<VertexId> plane;
        for (int node = 0; node < spec.nodes; ++node)
          for (int i = p; i < spec.node.nics; i += f.planes) plane.push_back(c.nic(node, i));
        build_two_layer_fat_tree(c, f, plane, bw, p);
      }
      c.fabric.planes = f.planes;
      break;
    case FabricKind::kThreeLayerFatTree:
      build_three_layer_fat_tree(c, f, c.nics, bw);
      break;
  }
  c.fabric.endpoints = static_cast<int>(c.nics.size());
  return c;
}

}  // namespace v3sim::topologies
