#pragma once
// The v3sim subcommands, one file each.
#include <CLI/CLI.hpp>
#include <stdexcept>
#include <string>

namespace v3sim::cli {

// A simulation that could not complete (deadlock): exit code 1.
class SimulationFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `validate` on a study file: every check `sweep` makes before running a
// point (the study, its base, axis pointers); returns what it holds.
std::string check_study_file(const std::string& path);

void add_run_command(CLI::App& app);
void add_validate_command(CLI::App& app);
void add_schedule_command(CLI::App& app);
void add_list_command(CLI::App& app);
void add_model_command(CLI::App& app);
void add_topology_command(CLI::App& app);
void add_calibrate_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_compare_trace_command(CLI::App& app);
void add_export_chakra_command(CLI::App& app);

}  // namespace v3sim::cli
