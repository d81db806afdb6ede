// v3sim run SCENARIO [--set /pointer=value ...] [--out DIR] [--no-timing] [--fidelity F] [--json] [--csv] [--gzip]
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/run_progress.hpp"
#include "cli/scenario_loader.hpp"
#include "cli/simulate_scenario.hpp"
#include "report/csv_table.hpp"
#include "report/gzip_text.hpp"
#include "report/output_set.hpp"

namespace v3sim::cli {
namespace {

struct RunArgs {
  std::string scenario;
  std::vector<std::string> sets;
  std::string out;  // default out/SCENARIO-NAME
  bool no_timing = false;
  std::string fidelity;  // "reduced" or "full": overrides the scenario's
  bool json = false;     // summary.json to stdout instead of the table
  bool csv = false;      // also summary.csv
  bool gzip = false;     // trace.json.gz instead of trace.json
  bool require_fit = false;  // exit 1 when a rank's memory passes its HBM
};

void run(const RunArgs& a) {
  std::vector<std::string> sets = a.sets;
  if (!a.fidelity.empty()) sets.push_back("/fidelity=\"" + a.fidelity + "\"");
  const std::string out = a.out.empty() ? "out/" + std::filesystem::path(a.scenario).stem().string() : a.out;
  std::string text;
  const models::Scenario scenario = load_scenario(a.scenario, sets, &text);
  ScenarioOutputs o = [&] {
    const RunProgressLine progress;
    return simulate_scenario(scenario, a.scenario, !a.no_timing, true, text);
  }();
  for (auto& [name, content] : o.files)
    if (name == "trace.json" && a.gzip) {
      name = "trace.json.gz";
      content = report::gzip_text(content);
    }
  if (a.csv) o.files.push_back({"summary.csv", report::json_fields_csv(o.summary)});
  try {
    report::publish_output_set(out, o.files);
  } catch (const std::runtime_error& e) {
    throw InputFailure(e.what());
  }
  std::string names;
  for (const auto& [name, content] : o.files) names += (names.empty() ? "" : ",") + name;
  if (a.json)
    std::cout << o.summary.dump(2) << "\n";
  else
    std::cout << o.terminal;
  (a.json ? std::cerr : std::cout) << "wrote " << out << "/{" << names << "}\n";
  // Once: the table already holds the warnings it prints.
  for (const std::string& w : o.warnings)
    if (a.json || o.terminal.find(w) == std::string::npos) std::cerr << "warning: " << w << "\n";
  if (a.require_fit && o.summary.contains("fits") && !o.summary["fits"].get<bool>())
    throw SimulationFailure("memory does not fit on ranks " + o.summary["ranks_over_memory"].dump() +
                            " (--require-fit; summary.json ranks[].memory has each rank's parts and capacity)");
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Simulate a scenario and write summary.json, trace.json, report.html");
  cmd->add_option("scenario", args->scenario, "Scenario JSON file")->required();
  cmd->add_option("--set", args->sets, "Override a field: /json/pointer=value (repeatable)")->allow_extra_args(false);
  cmd->add_option("--out", args->out, "Output directory (default out/SCENARIO-NAME), replaced as a whole");
  cmd->add_flag("--no-timing", args->no_timing, "Write wall_time_s as 0 so reruns are byte-identical");
  cmd->add_option("--fidelity", args->fidelity,
                  "Training scenarios: reduced (symmetry and memoisation, default) or full (every GPU and flow)")
      ->check(CLI::IsMember({"reduced", "full"}));
  cmd->add_flag("--json", args->json, "Print summary.json to stdout instead of the table (messages go to stderr)");
  cmd->add_flag("--csv", args->csv, "Also write summary.csv: one row per number (readable name, value, JSON pointer)");
  cmd->add_flag("--gzip", args->gzip, "Write the trace gzip-compressed, as trace.json.gz (Perfetto opens it as is)");
  cmd->add_flag("--require-fit", args->require_fit,
                "Exit 1 (after writing the outputs) when a training rank's memory passes its HBM (summary.json: fits)");
  cmd->callback([args] { run(*args); });
}

}  // namespace v3sim::cli
