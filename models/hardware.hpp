#pragma once
// Hardware presets: the numbers of a GPU and its node that the cluster model
// uses, each with its source (models/presets/hardware.json, compiled in).
// Scenarios name a preset and may override any field.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "calibration/profile_scaling.hpp"

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

// The numbers of a GPU that carry a calibration profile to it.
calibration::HardwareTraits hardware_traits(const GpuPreset& g);

// The profile a run on `gpu` uses: `p` itself when the GPU it was measured
// on (its `hardware` preset) has the cluster GPU's numbers, or when it names
// no GPU; otherwise `p` scaled by the stated rule
// (calibration/profile_scaling.hpp), with the rule's line in `statement`
// for the run's outputs. A profile naming an unknown GPU is refused
// (sim::InputError at /calibration): its numbers cannot be carried.
calibration::Profile profile_for_gpu(const calibration::Profile& p, const GpuPreset& gpu, std::string& statement);

// A profile for `gpu` from public data: `base` carried to it by the stated
// rule, then the numbers public sources give for that GPU written over the
// rule's (`public_data`: a partial profile in the JSON form of
// calibration/profiles/*.json, every parameter with its source; merged as a
// JSON merge patch). The result names `gpu` as its hardware and `name`.
// Throws sim::InputError (pointer into `public_data`) for a bad entry.
calibration::Profile profile_from_public_data(const calibration::Profile& base, const GpuPreset& gpu,
                                              const nlohmann::json& public_data, const std::string& name);

}  // namespace v3sim::models
