// v3sim list: schedule kinds and presets.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.hpp"
#include "models/hardware.hpp"
#include "calibration/profile.hpp"
#include "models/schedule/schedule.hpp"
#include "models/transformer/parameters.hpp"

namespace v3sim::cli {

void add_list_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("list", "List schedule kinds, presets and calibration profiles");
  cmd->callback([] {
    std::cout << "schedule kinds:\n";
    for (const std::string& name : models::schedule_kind_names())
      std::cout << "  " << name << std::string(18 - std::min<std::size_t>(name.size(), 17), ' ')
                << models::schedule_kind_description(models::schedule_kind_from_name(name)) << "\n";
    std::cout << "GPU presets (cluster.node):\n";
    for (const std::string& name : models::gpu_preset_names()) {
      const models::GpuPreset p = models::gpu_preset(name);
      std::cout << fmt::format("  {:<14}{} SMs, {:g} FP8 / {:g} BF16 dense TFLOPS, {:g} GB HBM at {:g} TB/s, NVLink {:g} GB/s "
                               "per direction, {} x {:g} Gb/s NIC per GPU, {} GPUs per node\n",
                               name, p.sms, p.fp8_dense_tflops, p.bf16_dense_tflops, p.hbm_gb, p.hbm_tb_per_s,
                               p.nvlink_gb_per_s, p.nics, p.nic_gbit_per_s, p.gpus_per_nvlink_domain);
    }
    std::cout << "model presets (model):\n";
    for (const std::string& name : models::model_preset_names()) {
      const models::ModelConfig m = models::model_preset(name);
      std::cout << fmt::format("  {:<18}{} layers, hidden {}, {:.1f}B parameters ({:.1f}B activated){}\n", name, m.layers,
                               m.hidden, models::total_parameters(m) / 1e9, models::activated_parameters(m) / 1e9,
                               m.is_moe() ? fmt::format(", {} routed experts top-{}", m.routed_experts, m.topk) : "");
    }
    std::cout << "calibration profiles (calibration): ";
    for (const std::string& name : calibration::profile_names()) std::cout << name << " ";
    std::cout << "\n";
    std::cout << "fabrics (cluster.fabric.kind): two_layer_fat_tree, three_layer_fat_tree, rail_optimized, "
                 "multi_plane_fat_tree\n";
  });
}

}  // namespace v3sim::cli
