#pragma once
// Fits the kernel-class parameters of a profile (KernelClassParams) to the
// kernel times of a profiler trace. The model says what its kernels of each
// class need over one layer pair (bytes, model time at scale 1, launches);
// the trace says how long that class's kernels took. One parameter per
// class, so each class's in-sample total is reproduced by construction; the
// test of the model is what the classes add up to per component and how the
// engine overlaps them (compare-trace).
#include <map>
#include <string>
#include <vector>

#include "calibration/profile.hpp"
#include "calibration/profiler_trace.hpp"

namespace v3sim::calibration {

// How a class is costed, hence what is fitted.
enum class ClassForm {
  kBandwidth,  // bytes over an achieved bandwidth, plus the common per-launch time
  kScale,      // a multiple of the model's time for the shape (GEMMs, attention, all-to-alls)
  kLaunch,     // a fixed time per launch (kernels whose work the model does not size)
  kMechanism,  // not fitted: one launch at the common launch time; the engine simulates the rest
               // (DeepEP's notify: its round of messages and its wait for the last peer)
};

// The model's kernels of one class over one layer pair.
struct ClassDemand {
  std::string cls;
  ClassForm form = ClassForm::kLaunch;
  double bytes = 0;          // kBandwidth: as if moved on `sms` SMs
  double model_seconds = 0;  // kScale: at time_scale 1
  double launches = 0;
  int sms = 0;               // the SMs the class's kernels hold (compute SMs)
};

struct ClassFit {
  std::string cls;
  ClassForm form = ClassForm::kLaunch;
  double measured_ms = 0;    // per layer pair, from the trace
  double base_ms = 0;        // per layer pair, the model before this fit
  double fitted_ms = 0;      // per layer pair, the model with the fitted parameters
  int trace_launches = 0;    // per layer pair (rounded)
  double model_launches = 0;
  KernelClassParams params;
  std::string status;  // "fitted", "not in the trace", "not modelled"
};

struct TraceFit {
  std::vector<ClassFit> classes;
  double launch_us = 0;  // the common per-launch time of bandwidth classes
  std::map<std::string, int> framework_launches;  // elementwise kernels per layer and component
  double elementwise_launch_us = 0;
  std::vector<std::string> notes;
};

// `base_ms` of each demand is what the uncalibrated profile predicts
// (model_seconds for kScale, the profile's memory default for kBandwidth).
// `source` is written into each fitted parameter's provenance.
TraceFit fit_trace(const TraceSummary& summary, const std::vector<ClassDemand>& demand,
                   const std::map<std::string, double>& base_ms, const std::string& source);

// The fitted parameters written into `p` (kernel_classes, framework_launches).
void apply_trace_fit(const TraceFit& fit, Profile& p, const std::string& source);

}  // namespace v3sim::calibration
