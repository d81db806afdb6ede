#pragma once
// The compute classes of a profiler-trace fit, turned from in-pair to
// standalone rates. A closed-form fit (calibration/trace_fit.hpp) gives each
// class the rate its kernels reached inside the overlapped pair, beside the
// communication kernels and the other compute stream. The engine simulates
// that contention (sim/contention.hpp) with factors measured on the trace's
// own kernels (calibration/trace_contention.hpp), so each class is refitted
// to the rate that, slowed as the simulated pair slows it, reproduces the
// trace's time. What is left of the classes with a standalone reference
// (DeepGEMM's table for the FP8 GEMMs: time_scale 1 alone) is the check of
// the mechanism. docs/calibration.md gives the procedure.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "calibration/profiler_trace.hpp"
#include "calibration/trace_fit.hpp"
#include "models/cluster_config.hpp"
#include "models/training/training_spec.hpp"

namespace v3sim::models {

struct ContentionClass {
  std::string cls;
  double in_pair = 0;     // the closed-form fit's parameter (time_scale, GB/s or us per launch)
  double standalone = 0;  // the same parameter under contention
  double stretch = 1;     // the class's simulated time in the pair over its time alone
};

struct ContentionFit {
  double compute_stretch = 1;       // main compute stream, in the pair
  double second_stream_stretch = 1;
  double reference_scale = 1;       // geometric mean of the reference classes' time_scale after the fit
  double worst_class_error = 0;     // max |simulated / trace - 1| over the refitted classes
  std::vector<ContentionClass> classes;
};

// `spec` carries the profile with the closed-form fit applied (`fit`, over
// `demand`) and the contention factors; the refitted classes are written
// into `profile`. `references`: the classes whose standalone rate is known.
ContentionFit fit_under_contention(const ClusterConfig& cluster, const TrainingSpec& spec,
                                   const calibration::TraceSummary& trace, const calibration::TraceFit& fit,
                                   const std::vector<calibration::ClassDemand>& demand,
                                   const std::set<std::string>& references, calibration::Profile& profile);

}  // namespace v3sim::models
