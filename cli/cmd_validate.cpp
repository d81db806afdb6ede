// v3sim validate SCENARIO [--set ...]: check a scenario as `run` would and
// write nothing. Some checks need the simulation itself (a cluster that does
// not fit the parallelism, a time past the clock), so validate simulates the
// step without rendering files: whatever validate calls ok, run completes.
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/scenario_loader.hpp"
#include "cli/simulate_scenario.hpp"
#include "models/schedule/schedule.hpp"

namespace v3sim::cli {

void add_validate_command(CLI::App& app) {
  struct Args {
    std::string scenario;
    std::vector<std::string> sets;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("validate", "Check a scenario (as run does) or a study (as sweep does); write nothing");
  cmd->add_option("scenario", args->scenario, "Scenario or study JSON file")->required();
  cmd->add_option("--set", args->sets, "Override a field: /json/pointer=value (repeatable)")->allow_extra_args(false);
  cmd->callback([args] {
    {  // A study file (it has "axes"): the checks sweep makes before running.
      std::string study_text;
      const nlohmann::json doc = read_json_file(args->scenario, study_text);
      if (doc.is_object() && doc.contains("axes")) {
        if (!args->sets.empty()) throw InputFailure(args->scenario + ": --set applies to scenarios, not to studies");
        const std::string what = check_study_file(args->scenario);
        std::cout << args->scenario << ": ok (study: " << what << ")\n";
        return;
      }
    }
    std::string text;
    const models::Scenario s = load_scenario(args->scenario, args->sets, &text);
    if (s.has_pipeline || s.training || s.ep_alltoall || s.inference)
      (void)simulate_scenario(s, args->scenario, false, false, text);
    if (s.serving) {
      const models::ServingSpec& v = *s.serving;
      std::cout << args->scenario << ": ok (serving: " << v.prefill.units << " prefill units of " << v.prefill.unit.deployment.ep
                << " GPUs and " << v.decode.units << " decode units of " << v.decode.unit.deployment.ep << " on "
                << s.cluster->spec.nodes * s.cluster->spec.node.gpus << " " << s.cluster->gpu.name << " GPUs)\n";
      return;
    }
    if (s.ep_alltoall || s.inference) {
      std::cout << args->scenario << ": ok (" << (s.inference ? "inference" : "EP all-to-all") << " on "
                << s.cluster->spec.nodes * s.cluster->spec.node.gpus << " " << s.cluster->gpu.name << " GPUs)\n";
      return;
    }
    if (s.training) {
      const models::TrainingSpec& t = *s.training;
      const int gpus = s.cluster->spec.nodes * s.cluster->spec.node.gpus;
      std::cout << args->scenario << ": ok (" << t.model.name << " on " << gpus << " " << s.cluster->gpu.name
                << " GPUs: pp " << t.parallel.pp << " dp " << models::data_parallel(t, gpus) << " ep " << t.parallel.ep
                << " tp " << t.parallel.tp << (t.parallel.cp > 1 ? " cp " + std::to_string(t.parallel.cp) : "") << ", "
                << (t.chunk_pair ? std::string("one chunk pair")
                                 : models::schedule_kind_name(t.schedule) + " with " +
                                       std::to_string(models::microbatches_per_pipeline(t, gpus)) +
                                       " micro-batches per pipeline")
                << ")\n";
      return;
    }
    if (!s.has_pipeline) {
      std::cout << args->scenario << ": ok (cluster of " << s.cluster->spec.nodes << " " << s.cluster->gpu.name
                << " nodes)\n";
      return;
    }
    const models::Schedule schedule = models::make_schedule(s.schedule);
    std::cout << args->scenario << ": ok (" << models::schedule_kind_name(s.schedule.kind) << ", " << s.schedule.stages
              << " stages on " << schedule.ranks << " ranks, " << s.schedule.microbatches << " micro-batches)\n";
  });
}

}  // namespace v3sim::cli
