// v3sim schedule --kind K --stages P --microbatches M [--chunks V] [--microbatch-group N] [--format text|json]
#include <algorithm>
#include <fmt/format.h>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/scenario_loader.hpp"
#include "models/schedule/notation.hpp"
#include "models/schedule/schedule.hpp"
#include "report/schedule_json.hpp"

namespace v3sim::cli {

void add_schedule_command(CLI::App& app) {
  struct Args {
    std::string kind;
    int stages = 0, microbatches = 0, chunks = 1, microbatch_group = 0;
    std::string format = "text";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("schedule", "Print each rank's op order");
  cmd->add_option("--kind", args->kind, "Schedule kind (see `v3sim list`)")
      ->required()
      ->check(CLI::IsMember(models::schedule_kind_names()));
  cmd->add_option("--stages", args->stages, "Pipeline stages (DualPipeV holds two per rank)")->required();
  cmd->add_option("--microbatches", args->microbatches, "Micro-batches per step")->required();
  cmd->add_option("--chunks", args->chunks, "Model chunks per rank (interleaved_1f1b)")->capture_default_str();
  cmd->add_option("--microbatch-group", args->microbatch_group,
                  "Micro-batches per group through a chunk (interleaved_1f1b; 0: the stages, or the smallest valid size)")
      ->capture_default_str();
  cmd->add_option("--format", args->format, "text or json")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd->callback([args] {
    models::ScheduleSpec spec;
    spec.kind = models::schedule_kind_from_name(args->kind);
    spec.stages = args->stages;
    spec.microbatches = args->microbatches;
    spec.chunks = args->chunks;
    spec.microbatch_group = args->microbatch_group;
    if (auto problem = models::check_spec(spec)) {
      std::string option = problem->field;  // a spec field names its option with dashes
      std::replace(option.begin(), option.end(), '_', '-');
      throw InputFailure("--" + option + ": " + problem->message);
    }
    // Every rank holds a forward, a backward and (zero-bubble kinds) a weight
    // op per micro-batch and chunk: refuse what would exhaust memory.
    const double ops = 3.0 * models::ranks_for(spec) * args->microbatches * std::max(1, args->chunks);
    if (size_limits().enforced && ops > size_limits().max_items)
      throw InputFailure(fmt::format("--microbatches: the schedule would hold about {:.3g} ops (3 x ranks x micro-batches x chunks); "
                                     "the limit is {:.3g} (--no-size-limits lifts it)", ops, size_limits().max_items));
    const models::Schedule s = models::make_schedule(spec);
    if (args->format == "json") {
      std::cout << report::schedule_json(s).dump(2) << "\n";
      return;
    }
    for (int r = 0; r < s.ranks; ++r) std::cout << models::format_program(s, r) << "\n";
  });
}

}  // namespace v3sim::cli
