#include "report/summary_json.hpp"

#include "models/schedule/bubble_formula.hpp"

namespace v3sim::report {

nlohmann::json summary_json(const models::Scenario& scenario, const models::PipelineResult& r,
                            const SummaryOptions& options) {
  using nlohmann::json;
  const auto& spec = r.schedule.spec;
  json ranks = json::array();
  for (const auto& rank : r.ranks) {
    ranks.push_back({{"rank", rank.rank},
                     {"busy_ms", sim::to_ms(rank.busy)},
                     {"bubble_ms", sim::to_ms(rank.bubble)},
                     {"peak_activations", rank.peak_activations},
                     {"parameter_copies", rank.parameter_copies}});
  }
  const models::BubbleFormula f = models::published_bubble(spec, scenario.op_costs);
  json out;
  out["scenario"] = scenario.name;
  out["mode"] = "abstract";
  out["schedule"] = {{"kind", models::schedule_kind_name(spec.kind)},
                     {"stages", spec.stages},
                     {"ranks", r.schedule.ranks},
                     {"microbatches", spec.microbatches},
                     {"chunks", spec.chunks}};
  out["step_time_ms"] = sim::to_ms(r.step_time);
  out["bubble_fraction"] = r.bubble_fraction();
  out["max_bubble_ms"] = sim::to_ms(r.max_bubble());
  out["published_bubble"] = {{"expression", f.expression},
                             {"scope", f.scope},
                             {"value_ms", f.defined ? json(f.value_ms) : json(nullptr)},
                             {"exact_when", f.exact_when},
                             {"regime_met", f.regime_met}};
  out["ranks"] = std::move(ranks);
  out["events"] = r.events;
  out["tasks"] = r.tasks;
  out["wall_time_s"] = options.host_timing ? r.wall_seconds : 0.0;
  out["reductions"] = json::array();  // shortcuts taken (symmetry, memoisation); none in abstract mode
  return out;
}

}  // namespace v3sim::report
