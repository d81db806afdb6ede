#pragma once
// The phases of a rank's data-parallel tail, after its last pipeline kernel,
// named as the trace and the timeline show them. Phases of zero time (no
// mirror sum, no all-gather without ZeRO) are left out.
#include <string>
#include <vector>

#include "models/training/training_step.hpp"

namespace v3sim::report {

struct TailPhase {
  std::string name;
  sim::Time start = 0, duration = 0;
};

inline std::vector<TailPhase> dp_tail(const models::TrainingResult& r, const models::TrainingRank& k) {
  const bool zero = r.spec.parallel.zero == 1;
  const std::pair<const char*, sim::Time> phases[] = {
      {r.spec.schedule == models::ScheduleKind::kDualPipe ? "mirror gradient sum (DualPipe)" : "tied embedding gradient sum",
       k.dp_sync.mirror},
      {zero ? "reduce-scatter gradients (ZeRO-1)" : "all-reduce gradients", k.dp_sync.reduce_scatter},
      {"optimizer step (AdamW)", k.dp_sync.optimizer},
      {"all-gather parameters (ZeRO-1)", k.dp_sync.all_gather}};
  std::vector<TailPhase> out;
  sim::Time t = k.pipeline_end;
  for (const auto& [name, d] : phases) {
    if (d <= 0) continue;
    out.push_back({name, t, d});
    t += d;
  }
  return out;
}

}  // namespace v3sim::report
