#pragma once
// A scenario's `cluster` object: a GPU preset (with overrides), the node
// count and the fabric, turned into the numbers topologies/ builds from.
#include <nlohmann/json.hpp>

#include "models/hardware.hpp"
#include "topologies/cluster_spec.hpp"

namespace v3sim::models {

struct ClusterConfig {
  GpuPreset gpu;
  topologies::ClusterSpec spec;
};

// Parses the object at JSON pointer `pointer`; throws sim::InputError.
ClusterConfig parse_cluster(const nlohmann::json& value, const std::string& pointer);

}  // namespace v3sim::models
