#pragma once
// The shortcuts a serving run took, named with their measured error, for
// its outputs (docs/serving.md).
#include "models/serving/serving_sim.hpp"
#include "models/serving/serving_spec.hpp"

namespace v3sim::models {

// Appends to r.reductions what the run on `spec` reduced, with r's errors.
void name_reductions(const ServingSpec& spec, ServingResult& r);

}  // namespace v3sim::models
