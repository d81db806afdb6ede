#pragma once
// What one layer pair (a transformer layer's forward, input-gradient and
// weight-gradient kernels, as an overlapped chunk pair runs them) asks of
// each kernel class: the input of calibration/trace_fit.hpp. The layer is
// costed with `spec.profile`'s kernel classes set aside, so the fit starts
// from the shape model alone.
#include <array>
#include <map>
#include <string>
#include <vector>

#include "calibration/trace_fit.hpp"
#include "models/hardware.hpp"
#include "models/training/stage_plan.hpp"

namespace v3sim::models {

struct LayerDemand {
  std::vector<calibration::ClassDemand> classes;
  std::map<std::string, double> base_ms;  // per class, the uncalibrated model's time per layer pair
};

// `phase_time`: the standalone all-to-all phase times of the scenario
// (TrainingResult::phase_time of a run under the same spec).
LayerDemand layer_pair_demand(const TrainingSpec& spec, const GpuPreset& gpu,
                              const std::array<sim::Time, kEpPhases>& phase_time);

}  // namespace v3sim::models
