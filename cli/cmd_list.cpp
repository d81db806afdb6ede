// v3sim list: schedule kinds and presets.
#include <iostream>

#include "cli/commands.hpp"
#include "models/schedule/schedule.hpp"

namespace v3sim::cli {

void add_list_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("list", "List schedule kinds and presets");
  cmd->callback([] {
    std::cout << "schedule kinds:\n";
    for (const std::string& name : models::schedule_kind_names())
      std::cout << "  " << name << std::string(18 - std::min<std::size_t>(name.size(), 17), ' ')
                << models::schedule_kind_description(models::schedule_kind_from_name(name)) << "\n";
    std::cout << "presets:\n  (none yet: scenarios run in abstract mode, with op times given in op_costs_ms)\n";
  });
}

}  // namespace v3sim::cli
