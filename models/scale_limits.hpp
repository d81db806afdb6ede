#pragma once
// What a scenario will cost to simulate, estimated from its sizes before
// anything is built, so that an input within every field's documented range
// but huge in combination (a global batch of 2^30, 2^24 layers, a million
// nodes) stops at once with an error naming the field, instead of exhausting
// memory or running for days. The estimate counts simulated items (tasks,
// flows, routing draws); docs/scenarios.md gives the limits and the bytes an
// item costs. `--no-size-limits` lifts them.
#include "models/scenario.hpp"

namespace v3sim::models {

struct ScaleLimits {
  double max_gpus = 131072;    // GPUs in the cluster
  double max_items = 3e7;      // tasks + flows + drawn token routes (about 300 B each: ~9 GB)
  double max_study_points = 1e6;
  bool enforced = true;
};

// Simulated items a scenario's step needs, an estimate within a small factor.
struct ScaleEstimate {
  double items = 0;
  std::string pointer;  // the field that drives the size most
  std::string detail;   // the factors, as the user reads them
  // Training: the step graph's tasks, and in full fidelity the all-to-all
  // flows (per GPU and all-to-all, one per other node and one per other GPU
  // of its node in its group; they live only in flight).
  double tasks = 0, flows = 0;
};

ScaleEstimate estimate_scale(const Scenario& s);

// What a training run will take: memory and time from its tasks and flows
// at rates measured on full-fidelity steps (docs/scenarios.md, "What a run
// costs"). Machine-dependent: the rates are the reference 2-core VM's, one
// core; a range, because the solver's work per flow grows with the flows
// that share a link.
struct RunCost {
  double bytes = 0;
  double seconds_low = 0, seconds_high = 0;
};
RunCost estimate_run_cost(const ScaleEstimate& e);

// Throws sim::InputError naming the field when the estimate passes a limit.
void check_scale(const Scenario& s, const ScaleLimits& limits);

}  // namespace v3sim::models
