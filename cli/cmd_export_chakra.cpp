// v3sim export-chakra SCENARIO [--set ...] [--out DIR] [--name NAME]
// [--replicas N]: the simulated training step as Chakra execution traces,
// DIR/NAME.NPU.et, one per GPU, with what ASTRA-sim needs to run them
// (communicator groups, system, network and memory configs, a script;
// report/chakra/, docs/outputs.md).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/run_progress.hpp"
#include "cli/json_locator.hpp"
#include "cli/scenario_loader.hpp"
#include "models/scale_limits.hpp"
#include "models/training/training_step.hpp"
#include "report/chakra/astra_sim_inputs.hpp"
#include "report/chakra/chakra_program.hpp"
#include "report/chakra/npu_trace.hpp"
#include "report/output_set.hpp"
#include "sim/engine.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::cli {
namespace {

struct ExportChakraArgs {
  std::string scenario;
  std::vector<std::string> sets;
  std::string out;   // default out/SCENARIO-chakra
  std::string name;  // file prefix; default the scenario file's stem
  int replicas = 0;  // data-parallel replicas exported; 0: all
};

// A file prefix that is one plain file-name component wherever it came from.
std::string file_prefix(const std::string& s) {
  std::string p;
  for (char c : s) p += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return p.empty() ? "trace" : p;
}

void export_chakra(const ExportChakraArgs& a) {
  const std::string stem = std::filesystem::path(a.scenario).stem().string();
  const std::string out = a.out.empty() ? "out/" + stem + "-chakra" : a.out;
  const std::string prefix = file_prefix(a.name.empty() ? stem : a.name);
  std::string text;
  const models::Scenario s = load_scenario(a.scenario, a.sets, &text);
  if (!s.training)
    throw InputFailure(a.scenario + ": export-chakra exports training scenarios only (a \"model\" on a \"cluster\"); " +
                       (s.inference     ? "this is an inference scenario"
                        : s.ep_alltoall ? "this is an ep_alltoall benchmark"
                                        : "this is an abstract schedule with no hardware"));
  try {
    report::check_output_dir(out);
  } catch (const std::runtime_error& e) {
    throw InputFailure(e.what());
  }
  models::TrainingResult r;
  try {
    models::check_scale(s, size_limits());
    const RunProgressLine progress;
    r = models::simulate_training(*s.cluster, *s.training);
  } catch (const sim::InputError& e) {
    throw InputFailure(a.scenario + ":" + std::to_string(line_of_pointer(text, e.pointer())) + ": " + e.pointer() + ": " +
                       e.what());
  } catch (const sim::TimeRangeError& e) {
    throw InputFailure(a.scenario + ": " + e.what() + "; the inputs give times too long to simulate");
  } catch (const sim::DeadlockError& e) {
    throw SimulationFailure(a.scenario + ": " + e.what());
  }
  report::ChakraPrograms programs;
  try {
    programs = report::chakra_programs(r, a.replicas > 0 ? a.replicas : r.dp);
  } catch (const std::invalid_argument& e) {
    throw InputFailure(a.scenario + ": --replicas " + std::to_string(a.replicas) + ": " + e.what());
  }
  const report::NpuGrid& grid = programs.grid;
  std::vector<bool> mirrored;
  for (const report::StageProgram& p : programs.stages) mirrored.push_back(p.mirrored);
  const report::CommGroups groups = report::comm_groups(grid, mirrored);

  const report::NpuTraceWriter writer(programs, groups, report::chakra_metadata(r, grid, s.name));
  const report::AstraSimInputs astra = report::astra_sim_inputs(s.cluster->gpu, grid.npus(), prefix);
  const std::vector<std::pair<std::string, std::string>> configs{{"comm_groups.json", groups.json()},
                                                                 {"system.json", astra.system_json},
                                                                 {"network.yml", astra.network_yml},
                                                                 {"remote_memory.json", astra.remote_memory_json},
                                                                 {"run-astra-sim.sh", astra.run_script}};
  const auto npus = static_cast<std::size_t>(grid.npus());
  std::size_t bytes = 0;
  try {
    report::publish_output_set(out, npus + configs.size(), [&](std::size_t i) {
      if (i >= npus) return configs[i - npus];
      std::pair<std::string, std::string> f{prefix + "." + std::to_string(i) + ".et", writer.trace(static_cast<int>(i))};
      bytes += f.second.size();
      return f;
    });
  } catch (const std::runtime_error& e) {
    throw InputFailure(e.what());
  }
  std::size_t nodes = 0;
  for (int n = 0; n < grid.npus(); ++n) nodes += programs.stages[static_cast<std::size_t>(grid.stage_of(n))].nodes.size();
  std::cout << fmt::format("wrote {}/{}.{{0..{}}}.et: {} NPUs ({} of {} data-parallel replicas), {} nodes, {:.1f} MB (Chakra ET {})\n",
                           out, prefix, npus - 1, npus, grid.replicas, r.dp, nodes, static_cast<double>(bytes) / 1e6,
                           report::kChakraVersion);
  std::cout << fmt::format("  {} communicator groups in comm_groups.json; ASTRA-sim configs beside them: sh {}/run-astra-sim.sh\n",
                           groups.members.size(), out);
  if (grid.replicas < r.dp)
    std::cout << fmt::format("  a symmetric subset: data-parallel collectives run over {} replicas (dense) and {} (routed experts), not {} and {}\n",
                             grid.group_size(report::GroupRole::kData), grid.group_size(report::GroupRole::kExpertData), r.dp,
                             r.dp * grid.cp * grid.tp / grid.ep);
  int folded = 0;
  double overlap_us = 0;
  for (std::size_t k = 0; k < programs.stages.size(); ++k) folded += programs.folded_kernels[k], overlap_us = std::max(overlap_us, programs.folded_overlap_us[k]);
  if (folded > 0)
    std::cout << fmt::format("  {} kernels beside the main compute stream keep only their time alone (ASTRA-sim runs one compute op at a time): up to {:.0f} us a stage overlapped\n",
                             folded, overlap_us);
  for (const std::string& w : r.warnings) std::cerr << "warning: " << w << "\n";
}

}  // namespace

void add_export_chakra_command(CLI::App& app) {
  auto args = std::make_shared<ExportChakraArgs>();
  CLI::App* cmd = app.add_subcommand(
      "export-chakra", "Simulate a training scenario and write it as Chakra execution traces, one per GPU, with ASTRA-sim's configs");
  cmd->add_option("scenario", args->scenario, "Training scenario JSON file")->required();
  cmd->add_option("--set", args->sets, "Override a field: /json/pointer=value (repeatable)")->allow_extra_args(false);
  cmd->add_option("--out", args->out, "Output directory (default out/SCENARIO-chakra), replaced as a whole");
  cmd->add_option("--name", args->name, "File prefix: DIR/NAME.NPU.et (default the scenario file's name)");
  cmd->add_option("--replicas", args->replicas,
                  "Export the first N data-parallel replicas only (a symmetric subset: N x cp x tp a multiple of ep; "
                  "default all)")
      ->check(CLI::Range(1, 1 << 20));
  cmd->callback([args] { export_chakra(*args); });
}

}  // namespace v3sim::cli
