#include "report/chakra/astra_sim_inputs.hpp"

#include <fmt/format.h>

#include <vector>

namespace v3sim::report {

AstraSimInputs astra_sim_inputs(const models::GpuPreset& gpu, int npus, const std::string& prefix) {
  AstraSimInputs in;
  // Two switched dimensions when the NPUs fill whole nodes: NVLink inside a
  // node, the scale-out network across nodes (a leaf-spine-leaf path: three
  // switch hops); one otherwise. Bandwidths are per NPU and per direction,
  // the rates v3sim's own exchanges achieve.
  const int per_node = gpu.gpus_per_nvlink_domain;
  const double nvlink = gpu.nvlink_achievable_gb_per_s, nic = gpu.nic_achievable_gb_per_s * gpu.nics;
  const double nvlink_ns = gpu.nvlink_latency_us * 1e3, fabric_ns = 3 * gpu.fabric_hop_latency_us * 1e3;
  struct Dim {
    int npus;
    double gb_per_s, latency_ns;
  };
  std::vector<Dim> dims;
  if (npus <= per_node)
    dims.push_back({npus, nvlink, nvlink_ns});
  else if (npus % per_node == 0)
    dims = {{per_node, nvlink, nvlink_ns}, {npus / per_node, nic, fabric_ns}};
  else
    dims.push_back({npus, nic, fabric_ns});
  std::vector<std::string> topology, counts, bandwidth, latency, ring, direct;
  for (const Dim& d : dims) {
    topology.push_back("Switch");
    counts.push_back(std::to_string(d.npus));
    bandwidth.push_back(fmt::format("{:.1f}", d.gb_per_s));
    latency.push_back(fmt::format("{:.1f}", d.latency_ns));
    ring.push_back("\"ring\"");
    direct.push_back("\"direct\"");
  }
  in.network_yml = fmt::format(
      "# ASTRA-sim analytical network for {} NPUs of {} (v3sim export-chakra): bandwidth in GB/s per NPU\n"
      "# and direction, latency in ns per link.\n"
      "topology: [ {} ]\nnpus_count: [ {} ]\nbandwidth: [ {} ]\nlatency: [ {} ]\n",
      npus, gpu.name, fmt::join(topology, ", "), fmt::join(counts, ", "), fmt::join(bandwidth, ", "),
      fmt::join(latency, ", "));

  // Compute comes from each node's duration_micros (no roofline); the
  // expert all-to-all is direct (every NPU to every peer, as DeepEP sends),
  // the data-parallel collectives rings.
  in.system_json = fmt::format(
      "{{\n"
      "  \"scheduling-policy\": \"FIFO\",\n"
      "  \"endpoint-delay\": 10,\n"
      "  \"active-chunks-per-dimension\": 1,\n"
      "  \"preferred-dataset-splits\": 4,\n"
      "  \"all-reduce-implementation\": [{0}],\n"
      "  \"reduce-scatter-implementation\": [{0}],\n"
      "  \"all-gather-implementation\": [{0}],\n"
      "  \"all-to-all-implementation\": [{1}],\n"
      "  \"collective-optimization\": \"localBWAware\",\n"
      "  \"local-mem-bw\": {2:.0f},\n"
      "  \"boost-mode\": 0,\n"
      "  \"roofline-enabled\": 0,\n"
      "  \"peak-perf\": {3:.0f}\n"
      "}}\n",
      fmt::join(ring, ", "), fmt::join(direct, ", "), gpu.hbm_tb_per_s * 1e3, gpu.bf16_dense_tflops);

  in.remote_memory_json = "{\n  \"memory-type\": \"NO_MEMORY_EXPANSION\"\n}\n";

  // Relative paths from the export's own directory: ASTRA-sim takes a
  // communicator-group path containing "empty" for none.
  in.run_script = fmt::format(
      "#!/bin/sh\n"
      "# Runs this v3sim export in ASTRA-sim's analytical network backend; ASTRA_SIM names its binary.\n"
      "set -e\n"
      "cd \"$(dirname \"$0\")\"\n"
      "exec \"${{ASTRA_SIM:-AstraSim_Analytical_Congestion_Aware}}\" \\\n"
      "  --workload-configuration=./{} \\\n"
      "  --system-configuration=./system.json \\\n"
      "  --network-configuration=./network.yml \\\n"
      "  --remote-memory-configuration=./remote_memory.json \\\n"
      "  --comm-group-configuration=./comm_groups.json \"$@\"\n",
      prefix);
  return in;
}

}  // namespace v3sim::report
