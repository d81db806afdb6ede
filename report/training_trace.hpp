#pragma once
// trace.json of a training-step run: the layers' components on each GPU's
// compute and communication streams (fields in docs/outputs.md).
#include <string>

#include "models/training/training_step.hpp"

namespace v3sim::report {

std::string training_chrome_trace(const models::TrainingResult& result);

}  // namespace v3sim::report
