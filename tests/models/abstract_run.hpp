#pragma once
// Test helper: simulate one schedule in abstract mode with given op times (ms).
#include <optional>

#include "models/simulate.hpp"

namespace v3sim::models::testing {

inline PipelineResult run_abstract(ScheduleKind kind, int stages, int microbatches, double F, double B,
                                   std::optional<double> W = std::nullopt, std::optional<double> FB = std::nullopt,
                                   int chunks = 1, double p2p_latency = 0) {
  Scenario s;
  s.schedule.kind = kind;
  s.schedule.stages = stages;
  s.schedule.microbatches = microbatches;
  s.schedule.chunks = chunks;
  s.op_costs.F = F;
  s.op_costs.B = B;
  s.op_costs.W = W;
  s.op_costs.FB = FB;
  s.op_costs.p2p_latency = p2p_latency;
  return simulate(s);
}

inline double ms(sim::Time t) { return sim::to_ms(t); }

}  // namespace v3sim::models::testing
