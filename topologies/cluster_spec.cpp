#include "topologies/cluster_spec.hpp"

#include <stdexcept>

namespace v3sim::topologies {

FabricKind fabric_kind_from_name(const std::string& name) {
  if (name == "two_layer_fat_tree") return FabricKind::kTwoLayerFatTree;
  if (name == "three_layer_fat_tree") return FabricKind::kThreeLayerFatTree;
  if (name == "rail_optimized") return FabricKind::kRailOptimized;
  if (name == "multi_plane_fat_tree") return FabricKind::kMultiPlaneFatTree;
  throw std::invalid_argument("unknown fabric kind \"" + name + "\"");
}

std::string fabric_kind_name(FabricKind kind) {
  switch (kind) {
    case FabricKind::kTwoLayerFatTree: return "two_layer_fat_tree";
    case FabricKind::kThreeLayerFatTree: return "three_layer_fat_tree";
    case FabricKind::kRailOptimized: return "rail_optimized";
    case FabricKind::kMultiPlaneFatTree: return "multi_plane_fat_tree";
  }
  return "?";
}

}  // namespace v3sim::topologies
