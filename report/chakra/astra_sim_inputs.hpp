#pragma once
// The rest of what ASTRA-sim needs to run an export besides its traces and
// communicator groups: a system config (collective algorithms, compute from
// the traces' durations), an analytical network config for the scenario's
// cluster, a remote-memory config, and a script that runs them. Numbers come
// from the cluster's GPU preset; the mapping (and what ASTRA-sim's network
// model leaves out) is in docs/outputs.md, "Running an export in ASTRA-sim".
#include <string>

#include "models/hardware.hpp"

namespace v3sim::report {

struct AstraSimInputs {
  std::string system_json;
  std::string network_yml;
  std::string remote_memory_json;
  std::string run_script;
};

// For `npus` NPUs numbered node-major (gpus_per_nvlink_domain to a node) and
// traces named PREFIX.{npu}.et beside the configs.
AstraSimInputs astra_sim_inputs(const models::GpuPreset& gpu, int npus, const std::string& prefix);

}  // namespace v3sim::report
