#pragma once
// The v3sim subcommands, one file each.
#include <CLI/CLI.hpp>
#include <stdexcept>

namespace v3sim::cli {

// A simulation that could not complete (deadlock): exit code 1.
class SimulationFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void add_run_command(CLI::App& app);
void add_validate_command(CLI::App& app);
void add_schedule_command(CLI::App& app);
void add_list_command(CLI::App& app);
void add_topology_command(CLI::App& app);
void add_calibrate_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_compare_trace_command(CLI::App& app);

}  // namespace v3sim::cli
