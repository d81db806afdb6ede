// v3sim run SCENARIO [--set /pointer=value ...] [--out DIR] [--no-timing]
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/scenario_loader.hpp"
#include "models/simulate.hpp"
#include "report/atomic_file.hpp"
#include "report/chrome_trace.hpp"
#include "report/ep_report.hpp"
#include "report/html_report.hpp"
#include "report/summary_json.hpp"
#include "report/terminal_table.hpp"
#include "report/training_report.hpp"
#include "sim/engine.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::cli {
namespace {

struct RunArgs {
  std::string scenario;
  std::vector<std::string> sets;
  std::string out = "out";
  bool no_timing = false;
  std::string fidelity;  // "reduced" or "full": overrides the scenario's
};

void write_outputs(const RunArgs& a, const std::vector<std::pair<std::string, std::string>>& files) {
  try {
    report::write_files_atomically(a.out, files);
  } catch (const std::runtime_error& e) {
    throw InputFailure(e.what());
  }
}

void run_ep(const RunArgs& a, const models::Scenario& scenario) {
  models::EpResult r;
  try {
    r = models::simulate_ep_alltoall(*scenario.cluster, *scenario.ep_alltoall);
  } catch (const sim::InputError& e) {
    throw InputFailure(a.scenario + ": " + e.pointer() + ": " + e.what());
  }
  write_outputs(a, {{"summary.json", report::ep_summary_json(scenario, r, !a.no_timing).dump(2) + "\n"},
                    {"trace.json", report::ep_chrome_trace(r).dump() + "\n"},
                    {"report.html", report::ep_html_report(scenario, r)}});
  std::cout << report::ep_terminal_summary(scenario, r) << "wrote " << a.out << "/{summary.json,trace.json,report.html}\n";
}

void run_training(const RunArgs& a, const models::Scenario& scenario) {
  models::TrainingResult r;
  try {
    r = models::simulate_training(*scenario.cluster, *scenario.training);
  } catch (const sim::InputError& e) {
    throw InputFailure(a.scenario + ": " + e.pointer() + ": " + e.what());
  } catch (const sim::DeadlockError& e) {
    throw SimulationFailure(a.scenario + ": " + e.what());
  }
  write_outputs(a, {{"summary.json", report::training_summary_json(scenario, r, !a.no_timing).dump(2) + "\n"},
                    {"trace.json", report::training_chrome_trace(r).dump() + "\n"},
                    {"report.html", report::training_html_report(scenario, r)}});
  std::cout << report::training_terminal_summary(scenario, r) << "wrote " << a.out
            << "/{summary.json,trace.json,report.html}\n";
  for (const std::string& w : r.warnings) std::cerr << "warning: " << w << "\n";
}

void run(const RunArgs& a) {
  std::vector<std::string> sets = a.sets;
  if (!a.fidelity.empty()) sets.push_back("/fidelity=\"" + a.fidelity + "\"");
  const models::Scenario scenario = load_scenario(a.scenario, sets);
  if (scenario.training) {
    run_training(a, scenario);
    return;
  }
  if (!a.fidelity.empty()) throw InputFailure(a.scenario + ": --fidelity applies to training scenarios only");
  if (scenario.ep_alltoall) {
    run_ep(a, scenario);
    return;
  }
  if (!scenario.has_pipeline)
    throw InputFailure(a.scenario + ": /schedule: missing required field 'schedule' (cluster workloads are not "
                       "simulated yet; `v3sim topology` builds the cluster)");
  models::PipelineResult result;
  try {
    result = models::simulate(scenario);
  } catch (const sim::DeadlockError& e) {
    throw SimulationFailure(a.scenario + ": " + e.what());
  }
  report::SummaryOptions opt;
  opt.host_timing = !a.no_timing;
  std::vector<std::pair<std::string, std::string>> files;
  files.emplace_back("summary.json", report::summary_json(scenario, result, opt).dump(2) + "\n");
  files.emplace_back("trace.json", report::chrome_trace(result).dump() + "\n");
  files.emplace_back("report.html", report::html_report(scenario, result));
  write_outputs(a, files);
  std::cout << report::terminal_summary(scenario, result) << "wrote " << a.out << "/{summary.json,trace.json,report.html}\n";
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Simulate a scenario and write summary.json, trace.json, report.html");
  cmd->add_option("scenario", args->scenario, "Scenario JSON file")->required();
  cmd->add_option("--set", args->sets, "Override a field: /json/pointer=value (repeatable)");
  cmd->add_option("--out", args->out, "Output directory")->capture_default_str();
  cmd->add_flag("--no-timing", args->no_timing, "Write wall_time_s as 0 so reruns are byte-identical");
  cmd->add_option("--fidelity", args->fidelity,
                  "Training scenarios: reduced (symmetry and memoisation, default) or full (every GPU and flow)")
      ->check(CLI::IsMember({"reduced", "full"}));
  cmd->callback([args] { run(*args); });
}

}  // namespace v3sim::cli
