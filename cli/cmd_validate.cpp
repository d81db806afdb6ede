// v3sim validate SCENARIO [--set ...] [--fidelity F]: check a scenario as
// `run` would and write nothing. Some checks need the simulation itself (a
// cluster that does not fit the parallelism, a time past the clock), so
// validate simulates the step without rendering files: whatever validate
// calls ok, run completes. A full-fidelity training step can take many
// minutes: validate checks it on the reduced-fidelity step (the same inputs)
// and estimates what the full run will take before anyone waits for it.
#include <cmath>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/scenario_loader.hpp"
#include "cli/simulate_scenario.hpp"
#include "models/scale_limits.hpp"
#include "models/schedule/schedule.hpp"

#include <fmt/format.h>

namespace v3sim::cli {

void add_validate_command(CLI::App& app) {
  struct Args {
    std::string scenario;
    std::vector<std::string> sets;
    std::string fidelity;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("validate", "Check a scenario (as run does) or a study (as sweep does); write nothing");
  cmd->add_option("scenario", args->scenario, "Scenario or study JSON file")->required();
  cmd->add_option("--set", args->sets, "Override a field: /json/pointer=value (repeatable)")->allow_extra_args(false);
  cmd->add_option("--fidelity", args->fidelity,
                  "Training scenarios: as run's --fidelity; full prints an estimate of the run's tasks, flows, memory and time")
      ->check(CLI::IsMember({"reduced", "full"}));
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
    std::vector<std::string> sets = args->sets;
    if (!args->fidelity.empty()) sets.push_back("/fidelity=\"" + args->fidelity + "\"");
    const models::Scenario s = load_scenario(args->scenario, sets, &text);
    std::string estimate;
    if (s.training && s.training->fidelity == models::Fidelity::kFull) {
      const models::ScaleEstimate e = models::estimate_scale(s);
      const models::RunCost c = models::estimate_run_cost(e);
      auto n = [](double x) { return fmt::to_string(fmt::group_digits(std::llround(x))); };
      auto secs = [](double x) { return x < 10 ? fmt::format("{:.1f}", x) : fmt::format("{:.0f}", x); };
      estimate = fmt::format("; full fidelity: about {} tasks and {} all-to-all flows, {:.0f} MB, {} to {} s on one core "
                             "(an estimate, docs/scenarios.md)",
                             n(e.tasks), n(e.flows), c.bytes / 1e6, secs(c.seconds_low), secs(c.seconds_high));
      models::Scenario reduced = s;
      reduced.training->fidelity = models::Fidelity::kReduced;
      (void)simulate_scenario(reduced, args->scenario, false, false, text);
    } else if (s.has_pipeline || s.training || s.ep_alltoall || s.inference) {
      (void)simulate_scenario(s, args->scenario, false, false, text);
    }
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
                << ")" << estimate << "\n";
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
