#include "models/hardware.hpp"

#include <string_view>

#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace presets {
extern const std::string_view kHardwareJson;
}

namespace {

const nlohmann::json& catalogue() {
  static const nlohmann::json doc = nlohmann::json::parse(presets::kHardwareJson);
  return doc.at("gpus");
}

struct Field {
  const char* key;
  double GpuPreset::*number = nullptr;
  int GpuPreset::*integer = nullptr;
  double min, max;
};

const Field kFields[] = {
    {"sms", nullptr, &GpuPreset::sms, 1, 10000},
    {"fp8_dense_tflops", &GpuPreset::fp8_dense_tflops, nullptr, 1e-3, 1e6},
    {"bf16_dense_tflops", &GpuPreset::bf16_dense_tflops, nullptr, 1e-3, 1e6},
    {"hbm_gb", &GpuPreset::hbm_gb, nullptr, 1e-3, 1e6},
    {"hbm_tb_per_s", &GpuPreset::hbm_tb_per_s, nullptr, 1e-3, 1e4},
    {"nvlink_gb_per_s", &GpuPreset::nvlink_gb_per_s, nullptr, 1e-3, 1e6},
    {"nvlink_achievable_gb_per_s", &GpuPreset::nvlink_achievable_gb_per_s, nullptr, 1e-3, 1e6},
    {"nics", nullptr, &GpuPreset::nics, 1, 64},
    {"nic_gbit_per_s", &GpuPreset::nic_gbit_per_s, nullptr, 1e-3, 1e6},
    {"nic_achievable_gb_per_s", &GpuPreset::nic_achievable_gb_per_s, nullptr, 1e-3, 1e6},
    {"pcie_gb_per_s", &GpuPreset::pcie_gb_per_s, nullptr, 1e-3, 1e6},
    {"nvlink_latency_us", &GpuPreset::nvlink_latency_us, nullptr, 0, 1e6},
    {"fabric_hop_latency_us", &GpuPreset::fabric_hop_latency_us, nullptr, 0, 1e6},
    {"gpus_per_nvlink_domain", nullptr, &GpuPreset::gpus_per_nvlink_domain, 1, 100000},
    {"comm_gb_per_s_per_sm", &GpuPreset::comm_gb_per_s_per_sm, nullptr, 1e-3, 1e4},
};

void set(GpuPreset& p, const Field& f, double v) {
  if (f.number)
    p.*f.number = v;
  else
    p.*f.integer = static_cast<int>(v);
}

}  // namespace

const std::vector<std::string>& gpu_preset_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (auto it = catalogue().begin(); it != catalogue().end(); ++it) n.push_back(it.key());
    return n;
  }();
  return names;
}

GpuPreset gpu_preset(const std::string& name, const nlohmann::json& overrides, const std::string& name_pointer,
                     const std::string& overrides_pointer) {
  if (!catalogue().contains(name)) {
    std::string msg = "unknown GPU preset \"" + name + "\"";
    if (auto near = sim::nearest(name, gpu_preset_names())) msg += " (did you mean \"" + *near + "\"?)";
    throw sim::InputError(name_pointer, msg);
  }
  const nlohmann::json& entry = catalogue().at(name);
  GpuPreset p;
  p.name = name;
  for (const Field& f : kFields) {
    if (!entry.contains(f.key)) continue;
    set(p, f, entry.at(f.key).at("value").get<double>());
    p.sources[f.key] = entry.at(f.key).at("source").get<std::string>();
  }
  sim::ObjectReader in(overrides, overrides_pointer);
  std::vector<std::string> keys;
  for (const Field& f : kFields) keys.push_back(f.key);
  in.only_keys(keys);
  for (const Field& f : kFields) {
    if (!in.has(f.key)) continue;
    const double v = f.integer ? static_cast<double>(in.integer(f.key, static_cast<long long>(f.min), static_cast<long long>(f.max)))
                               : in.number(f.key, f.min, f.max);
    set(p, f, v);
    p.sources[f.key] = "scenario override";
  }
  return p;
}

calibration::HardwareTraits hardware_traits(const GpuPreset& g) {
  return {g.name, g.sms, g.bf16_dense_tflops, g.hbm_tb_per_s, g.nvlink_gb_per_s, g.nic_gbit_per_s / 8 * g.nics};
}

calibration::Profile profile_from_public_data(const calibration::Profile& base, const GpuPreset& gpu,
                                              const nlohmann::json& public_data, const std::string& name) {
  std::string statement;
  calibration::Profile carried = profile_for_gpu(base, gpu, statement);
  carried.hardware = gpu.name;
  carried.name = name;
  nlohmann::json j = calibration::profile_to_json(carried);
  if (!public_data.is_object()) throw sim::InputError("", "expected an object: a partial profile");
  j.merge_patch(public_data);
  return calibration::parse_profile(j);
}

calibration::Profile profile_for_gpu(const calibration::Profile& p, const GpuPreset& gpu, std::string& statement) {
  statement.clear();
  if (p.hardware.empty()) return p;
  const calibration::HardwareTraits from = hardware_traits(gpu_preset(p.hardware, nlohmann::json::object(), "/calibration"));
  const calibration::HardwareTraits to = hardware_traits(gpu);
  if (from.sms == to.sms && from.bf16_tflops == to.bf16_tflops && from.hbm_tb_per_s == to.hbm_tb_per_s &&
      from.nvlink_gb_per_s == to.nvlink_gb_per_s && from.nic_gb_per_s == to.nic_gb_per_s)
    return p;
  calibration::HardwareTraits target = to;
  if (target.name == from.name) target.name += " as the scenario overrides it";
  statement = calibration::scaling_statement(p, from, target);
  return calibration::scale_profile(p, from, target);
}

}  // namespace v3sim::models
