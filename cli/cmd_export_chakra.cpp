// v3sim export-chakra SCENARIO [--set ...] [--out DIR] [--name NAME]: the
// simulated training step as Chakra execution traces, DIR/NAME.RANK.et, one
// per pipeline rank (report/chakra/chakra_program.hpp, docs/outputs.md).
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
#include "report/chakra/chakra_program.hpp"
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
  const std::vector<report::ChakraTrace> traces = report::chakra_traces(r, s.name);
  report::OutputFiles files;
  std::size_t nodes = 0;
  for (std::size_t rank = 0; rank < traces.size(); ++rank) {
    files.push_back({prefix + "." + std::to_string(rank) + ".et", report::encode_chakra_trace(traces[rank])});
    nodes += traces[rank].nodes.size();
  }
  try {
    report::publish_output_set(out, files);
  } catch (const std::runtime_error& e) {
    throw InputFailure(e.what());
  }
  std::cout << "wrote " << out << "/" << prefix << ".{0.." << traces.size() - 1 << "}.et: " << traces.size()
            << " pipeline ranks of replica 0, " << nodes << " nodes (Chakra ET " << report::kChakraVersion << ")\n";
  for (const std::string& w : r.warnings) std::cerr << "warning: " << w << "\n";
}

}  // namespace

void add_export_chakra_command(CLI::App& app) {
  auto args = std::make_shared<ExportChakraArgs>();
  CLI::App* cmd = app.add_subcommand(
      "export-chakra", "Simulate a training scenario and write its program as Chakra execution traces (ASTRA-sim input)");
  cmd->add_option("scenario", args->scenario, "Training scenario JSON file")->required();
  cmd->add_option("--set", args->sets, "Override a field: /json/pointer=value (repeatable)")->allow_extra_args(false);
  cmd->add_option("--out", args->out, "Output directory (default out/SCENARIO-chakra), replaced as a whole");
  cmd->add_option("--name", args->name, "File prefix: DIR/NAME.RANK.et (default the scenario file's name)");
  cmd->callback([args] { export_chakra(*args); });
}

}  // namespace v3sim::cli
