#pragma once
// The numbers a cluster is built from. Filled by models/ from hardware
// presets and the scenario; topologies/ knows nothing of GPU models.
#include <string>

#include "sim/time.hpp"

namespace v3sim::topologies {

enum class FabricKind { kTwoLayerFatTree, kThreeLayerFatTree, kRailOptimized, kMultiPlaneFatTree };

struct NodeSpec {
  int gpus = 8;
  double nvlink_bandwidth = 0;  // per GPU, per direction, bytes/s (GPU <-> NVSwitch)
  sim::Time nvlink_latency = 0;
  int nics = 8;
  double nic_bandwidth = 0;     // per NIC, per direction, bytes/s
  double pcie_bandwidth = 0;    // GPU <-> NIC, per direction, bytes/s
  sim::Time pcie_latency = 0;
};

struct FabricSpec {
  FabricKind kind = FabricKind::kTwoLayerFatTree;
  int switch_ports = 64;
  double oversubscription = 1;  // leaf down:up port ratio
  int planes = 1;               // multi-plane: NIC i of every node sits on plane i % planes
  sim::Time link_latency = 0;   // per fabric cable (NIC-leaf, leaf-spine, spine-core)
};

struct ClusterSpec {
  NodeSpec node;
  int nodes = 1;
  FabricSpec fabric;
};

FabricKind fabric_kind_from_name(const std::string& name);  // throws std::invalid_argument
std::string fabric_kind_name(FabricKind kind);

}  // namespace v3sim::topologies
