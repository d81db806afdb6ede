#pragma once
// A fleet over time (docs/fleet.md): the pools' unit counts move between a
// floor and the pools' `units` (the cap) under an autoscaling policy, units
// take time to start and drain, nodes not serving are released (to training,
// say) and counted; the run's node-hours and tokens are priced.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "models/serving/expert_drift.hpp"

namespace v3sim::models {

enum class ScalingPolicy {
  kFixed,              // every unit serves throughout
  kThreshold,          // one unit more above `up`, one fewer below `down`
  kTargetUtilisation,  // as many units as bring the utilisation to `target`
  kSlo,                // one unit more while the interval's p90 latency misses the SLO, one fewer far within it
};

struct AutoscaleSpec {
  ScalingPolicy policy = ScalingPolicy::kFixed;
  double interval_s = 300;  // how often the policy looks
  double startup_s = 0;     // a unit asked for serves this long after (held meanwhile)
  int min_prefill = 1, min_decode = 1;
  double up = 0.85, down = 0.5;  // threshold
  double target = 0.7;           // target utilisation
  // The pools keep the caps' prefill:decode ratio: each takes the larger of
  // the two pools' wanted shares of their caps.
  bool fixed_ratio = false;
};

struct FleetPrices {
  double gpu_hour_usd = 0;
  double input_hit_per_m_usd = 0, input_miss_per_m_usd = 0, output_per_m_usd = 0;
  // An off-peak discount: tokens of requests completing between these hours
  // of the clock (the run starting at `clock_start_h`) pay `factor` of the
  // price; factor 1: none.
  double discount_factor = 1, discount_from_h = 0, discount_to_h = 0, clock_start_h = 0;
  // The share of the price paid by a request completing `t_s` into the run.
  double paid_share(double t_s) const;
};

// Expert re-planning over the run (docs/fleet.md, "Expert re-planning"): the
// experts' load drifts, EPLB re-plans every `interval_s` on the average load
// of the last `window_s`, and a unit pauses while its GPUs load the experts
// they did not hold.
struct EplbSpec {
  double interval_s = 600;  // 0: the plan made at the start is kept
  double window_s = 600;    // the load a plan sees; at most interval_s when re-planning
  double epoch_s = 300;     // the load's resolution: a step is priced at its epoch's middle
  DriftSpec drift;
  double reload_gb_per_s = 0;  // a GPU's rate of loading experts; 0: its NICs' achievable rate
  int check_points = 16;       // epochs at which the priced load is checked against the step model
};

struct FleetSpec {
  AutoscaleSpec autoscale;
  std::optional<FleetPrices> prices;
  std::optional<EplbSpec> eplb;
};

// The `fleet` object at `pointer`; `prefill_units` and `decode_units` are the
// pools' caps (the floors may not pass them).
FleetSpec parse_fleet(const nlohmann::json& fleet, const std::string& pointer, int prefill_units, int decode_units);

}  // namespace v3sim::models
