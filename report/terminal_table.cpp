#include "report/terminal_table.hpp"

#include <fmt/format.h>

#include "models/schedule/bubble_formula.hpp"

namespace v3sim::report {

std::string terminal_summary(const models::Scenario& scenario, const models::PipelineResult& r) {
  const auto& spec = r.schedule.spec;
  const models::BubbleFormula f = models::published_bubble(spec, scenario.op_costs);
  std::string out;
  if (!scenario.name.empty()) out += scenario.name + "\n";
  out += fmt::format("schedule {}: {} stages on {} ranks, {} micro-batches\n", models::schedule_kind_name(spec.kind),
                     spec.stages, r.schedule.ranks, spec.microbatches);
  out += fmt::format("step time {:.3f} ms, bubble fraction {:.4f}, largest rank bubble {:.3f} ms\n", sim::to_ms(r.step_time),
                     r.bubble_fraction(), sim::to_ms(r.max_bubble()));
  out += fmt::format("published bubble {} = {} ({}{})\n", f.expression,
                     f.defined ? fmt::format("{:.3f} ms", f.value_ms) : std::string("negative: no time outside its regime"), f.scope,
                     f.exact_when.empty() ? std::string(", exact")
                                          : ", exact when " + f.exact_when + (f.regime_met ? ": met" : ": not met"));
  out += fmt::format("{:>6} {:>12} {:>12} {:>12} {:>10}\n", "rank", "busy ms", "bubble ms", "peak act", "params");
  for (const auto& rank : r.ranks)
    out += fmt::format("{:>6} {:>12.3f} {:>12.3f} {:>12} {:>10g}\n", rank.rank, sim::to_ms(rank.busy),
                       sim::to_ms(rank.bubble), rank.peak_activations, rank.parameter_copies);
  out += fmt::format("{} events, {} tasks, {:.4f} s wall\n", r.events, r.tasks, r.wall_seconds);
  return out;
}

}  // namespace v3sim::report
