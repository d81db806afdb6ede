// v3sim: a simulator of DeepSeek-V3-class training on GPU clusters.
// Exit codes: 0 success, 1 simulation failure, 2 bad input or usage.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/scenario_loader.hpp"
#include "cli/simulate_scenario.hpp"
#include "cli/suggest.hpp"
#include "sim/allocator.hpp"

int main(int argc, char** argv) {
  v3sim::sim::keep_freed_memory();
  CLI::App app{"v3sim: simulate DeepSeek-V3-class training and serving on GPU clusters", "v3sim"};
  app.set_version_flag("--version", "v3sim 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();  // global flags may follow the subcommand
  app.add_flag_callback("--no-size-limits", [] { v3sim::cli::enforce_size_limits(false); },
                        "Simulate scenarios past the size limits (docs/scenarios.md): they may need many GB and hours");
  v3sim::cli::add_run_command(app);
  v3sim::cli::add_validate_command(app);
  v3sim::cli::add_schedule_command(app);
  v3sim::cli::add_list_command(app);
  v3sim::cli::add_model_command(app);
  v3sim::cli::add_topology_command(app);
  v3sim::cli::add_calibrate_command(app);
  v3sim::cli::add_sweep_command(app);
  v3sim::cli::add_compare_command(app);
  v3sim::cli::add_compare_trace_command(app);
  v3sim::cli::add_export_chakra_command(app);
  // `v3sim` alone: what it can do (the commands), not an error.
  if (argc == 1) {
    std::cout << app.help();
    return 0;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const auto hint = v3sim::cli::suggest_for(app, argc, argv);
    std::cerr << "v3sim: " << (hint ? *hint : std::string(e.what())) << "\n";
    return 2;
  } catch (const v3sim::cli::InputFailure& e) {
    std::cerr << "v3sim: " << e.what() << "\n";
    return 2;
  } catch (const v3sim::cli::SimulationFailure& e) {
    std::cerr << "v3sim: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "v3sim: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
