#pragma once
// Abstract mode: every stage's ops take the scenario's fixed times.
#include "models/pipeline/executor.hpp"
#include "models/scenario.hpp"

namespace v3sim::models {

// Durations of each op kind from per-stage times: I = B - W; a pair takes FB
// (F + B when not given). Interleaved 1F1B splits a stage into `chunks` model
// chunks, each taking 1/chunks of the stage's time.
OpDuration abstract_durations(const OpCostsMs& costs, int chunks);

}  // namespace v3sim::models
