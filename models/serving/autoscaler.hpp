#pragma once
// Autoscaling policies (docs/fleet.md): each looks at one pool every
// interval and says how many units it wants serving. Small replaceable
// classes; the simulation does the starting, draining and accounting.
#include <memory>
#include <utility>

#include "models/serving/fleet_spec.hpp"

namespace v3sim::models {

// What a pool showed over the last interval.
struct PoolSignal {
  int serving = 0;         // units serving (not starting, not draining)
  int starting = 0;        // units asked for, not serving yet
  int floor = 1, cap = 1;  // the policy's bounds
  // Work over capacity: prefill, the share of the serving units' time spent
  // in steps; decode, the busier of running requests and KV reserved over
  // what the serving units hold.
  double utilisation = 0;
  bool backlog = false;    // requests waited for this pool at the interval's end
  // The interval's p90 latency over its SLO (prefill: TTFT; decode: TPOT);
  // 0 without an SLO or without requests.
  double latency_over_slo = 0;
};

class Autoscaler {
 public:
  virtual ~Autoscaler() = default;
  // Units wanted serving (starting ones count toward it), within [floor, cap].
  virtual int wanted(const PoolSignal& s) const = 0;
};

std::unique_ptr<Autoscaler> make_autoscaler(const AutoscaleSpec& spec);

// Both pools' wanted units at the caps' ratio (AutoscaleSpec::fixed_ratio):
// the larger wanted share of a cap, rounded up in each pool, within its floor.
std::pair<int, int> at_fixed_ratio(int prefill, const PoolSignal& p, int decode, const PoolSignal& d);

}  // namespace v3sim::models
