#include "models/simulate.hpp"

#include "models/pipeline/abstract_costs.hpp"

namespace v3sim::models {

PipelineResult simulate(const Scenario& scenario) {
  const Schedule schedule = make_schedule(scenario.schedule);
  ExecutorOptions opt;
  opt.p2p_latency = sim::from_ms(scenario.op_costs.p2p_latency);
  return execute(schedule, abstract_durations(scenario.op_costs, scenario.schedule.chunks), opt);
}

}  // namespace v3sim::models
