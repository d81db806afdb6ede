#pragma once
// Turns a schedule's per-rank programs into a task graph on the engine: one
// in-order compute stream and one communication stream per rank, the
// cross-rank dependencies of pipeline parallelism, and point-to-point
// transfers; runs it and collects the per-rank results.
#include <functional>

#include "models/pipeline/pipeline_result.hpp"
#include "models/schedule/schedule.hpp"
#include "sim/time.hpp"

namespace v3sim::models {

using OpDuration = std::function<sim::Time(const Op&)>;

struct ExecutorOptions {
  sim::Time p2p_latency = 0;  // per transfer between different ranks
};

// Throws std::logic_error for a malformed program (a chunk without its
// forward, a W without its I), sim::DeadlockError when the programs deadlock.
PipelineResult execute(const Schedule& schedule, const OpDuration& duration, const ExecutorOptions& options);

}  // namespace v3sim::models
