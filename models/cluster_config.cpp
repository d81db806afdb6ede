#include "models/cluster_config.hpp"

#include <algorithm>
#include <cmath>

#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

const std::vector<std::string> kFabricKinds = {"two_layer_fat_tree", "three_layer_fat_tree", "rail_optimized",
                                               "multi_plane_fat_tree"};

}  // namespace

ClusterConfig parse_cluster(const nlohmann::json& value, const std::string& pointer) {
  sim::ObjectReader in(value, pointer);
  in.only_keys({"node", "overrides", "nodes", "fabric"});
  ClusterConfig c;
  const std::string node = in.string("node");
  const nlohmann::json* overrides = in.child("overrides");
  c.gpu = gpu_preset(node, overrides ? *overrides : nlohmann::json::object(), in.child_pointer("node"),
                     in.child_pointer("overrides"));
  c.spec.nodes = static_cast<int>(in.integer("nodes", 1, 1'000'000));

  // Links carry the achievable rates of the preset (what all-to-all traffic
  // reaches), not the datasheet peaks.
  topologies::NodeSpec& n = c.spec.node;
  n.gpus = c.gpu.gpus_per_nvlink_domain;
  n.nics = c.gpu.nics * n.gpus;
  n.nvlink_bandwidth = c.gpu.nvlink_achievable_gb_per_s * 1e9;
  n.nvlink_latency = sim::from_ms(c.gpu.nvlink_latency_us / 1000);
  n.nic_bandwidth = c.gpu.nic_achievable_gb_per_s * 1e9;
  n.pcie_bandwidth = c.gpu.pcie_gb_per_s * 1e9;
  // GPU counts are ints everywhere downstream; keep their products in range.
  if (static_cast<long long>(c.spec.nodes) * n.gpus > (1LL << 24))
    throw sim::InputError(in.child_pointer("nodes"), std::to_string(c.spec.nodes) + " nodes of " + std::to_string(n.gpus) +
                                                         " GPUs pass 2^24 GPUs, the most v3sim represents");

  sim::ObjectReader f = in.object("fabric");
  f.only_keys({"kind", "switch_ports", "oversubscription", "planes"});
  c.spec.fabric.kind = topologies::fabric_kind_from_name(f.one_of("kind", kFabricKinds));
  c.spec.fabric.switch_ports = static_cast<int>(f.optional_integer("switch_ports", 4, 1024).value_or(64));
  c.spec.fabric.oversubscription = f.optional_number("oversubscription", 1, 64).value_or(1);
  c.spec.fabric.planes = static_cast<int>(f.optional_integer("planes", 1, 64).value_or(1));
  c.spec.fabric.link_latency = sim::from_ms(c.gpu.fabric_hop_latency_us / 1000);
  if (c.spec.fabric.kind == topologies::FabricKind::kMultiPlaneFatTree && n.nics % c.spec.fabric.planes != 0)
    throw sim::InputError(f.child_pointer("planes"), "expected planes dividing the NICs per node (" +
                                                         std::to_string(n.nics) + ")");
  // A two-layer tree connects every leaf to every spine only while it has at
  // most switch_ports leaves; beyond that it needs a third layer.
  if (c.spec.fabric.kind != topologies::FabricKind::kThreeLayerFatTree) {
    const auto& fab = c.spec.fabric;
    const int k = fab.switch_ports;
    const int down = std::max(1, static_cast<int>(std::floor(k * fab.oversubscription / (fab.oversubscription + 1))));
    const long long nodes = c.spec.nodes;
    long long leaves = 0;
    if (fab.kind == topologies::FabricKind::kRailOptimized)
      leaves = static_cast<long long>(n.nics) * ((nodes + down - 1) / down);
    else {
      const long long per_tree = nodes * n.nics / (fab.kind == topologies::FabricKind::kMultiPlaneFatTree ? fab.planes : 1);
      leaves = (per_tree + down - 1) / down;
    }
    if (leaves > k)
      throw sim::InputError(in.child_pointer("nodes"),
                            std::to_string(nodes) + " nodes need " + std::to_string(leaves) + " leaf switches per tree, but a " +
                                topologies::fabric_kind_name(fab.kind) + " of " + std::to_string(k) +
                                "-port switches holds at most " + std::to_string(k) +
                                " (use three_layer_fat_tree, more planes or larger switches)");
  }
  return c;
}

}  // namespace v3sim::models
