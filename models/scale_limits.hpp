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
};

ScaleEstimate estimate_scale(const Scenario& s);

// Throws sim::InputError naming the field when the estimate passes a limit.
void check_scale(const Scenario& s, const ScaleLimits& limits);

}  // namespace v3sim::models
