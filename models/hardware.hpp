#pragma once
// Hardware presets: the numbers of a GPU and its node that the cluster model
// uses, each with its source (models/presets/hardware.json, compiled in).
// Scenarios name a preset and may override any field.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace v3sim::models {

struct GpuPreset {
  std::string name;
  int sms = 0;
  double fp8_dense_tflops = 0;
  double bf16_dense_tflops = 0;
  double hbm_gb = 0;
  double hbm_tb_per_s = 0;
  double nvlink_gb_per_s = 0;             // per GPU, per direction, peak
  double nvlink_achievable_gb_per_s = 0;  // per GPU, all-to-all
  int nics = 1;                           // per GPU
  double nic_gbit_per_s = 0;
  double nic_achievable_gb_per_s = 0;
  double pcie_gb_per_s = 0;
  double nvlink_latency_us = 0;
  double fabric_hop_latency_us = 0;
  int gpus_per_nvlink_domain = 8;         // GPUs per node (NVLink domain)
  double comm_gb_per_s_per_sm = 0;        // data one SM of a communication kernel moves
  std::map<std::string, std::string> sources;  // field -> where its value comes from
};

const std::vector<std::string>& gpu_preset_names();

// The named preset with `overrides` ({"field": number}) applied. Throws
// sim::InputError naming `name_pointer` for an unknown preset, and
// `overrides_pointer`/<field> for an unknown field or an out-of-range value.
GpuPreset gpu_preset(const std::string& name, const nlohmann::json& overrides = nlohmann::json::object(),
                     const std::string& name_pointer = "", const std::string& overrides_pointer = "");

// A warning when a calibration profile was measured on another GPU than the
// cluster's (its kernel efficiencies then describe that GPU); empty when they
// match or the profile names no GPU.
std::string profile_gpu_mismatch(const std::string& profile_name, const std::string& profile_gpu, const GpuPreset& gpu);

}  // namespace v3sim::models
