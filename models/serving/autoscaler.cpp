#include "models/serving/autoscaler.hpp"

#include <algorithm>
#include <cmath>

namespace v3sim::models {
namespace {

int clamp_units(const PoolSignal& s, int units) { return std::clamp(units, s.floor, s.cap); }

class Fixed final : public Autoscaler {
 public:
  int wanted(const PoolSignal& s) const override { return s.cap; }
};

// One unit more when the pool is busier than `up` or requests wait; one
// fewer when it is idler than `down` and nothing waits.
class Threshold final : public Autoscaler {
 public:
  Threshold(double up, double down) : up_(up), down_(down) {}
  int wanted(const PoolSignal& s) const override {
    const int now = s.serving + s.starting;
    if (s.utilisation > up_ || s.backlog) return clamp_units(s, now + 1);
    if (s.utilisation < down_ && s.starting == 0) return clamp_units(s, now - 1);
    return clamp_units(s, now);
  }

 private:
  double up_, down_;
};

// The units that would have run the interval's work at `target`
// utilisation; one more while requests wait.
class TargetUtilisation final : public Autoscaler {
 public:
  explicit TargetUtilisation(double target) : target_(target) {}
  int wanted(const PoolSignal& s) const override {
    const double work = s.utilisation * s.serving;
    const int units = static_cast<int>(std::ceil(work / target_ - 1e-9)) + (s.backlog ? 1 : 0);
    // While units start, do not give up the ones asked for.
    return clamp_units(s, std::max(units, s.starting > 0 ? s.serving + s.starting : 0));
  }

 private:
  double target_;
};

// One unit more while the interval's p90 latency misses its SLO or requests
// wait; one fewer when it is under `down` of the SLO and the pool is idler
// than `down`, nothing starting.
class SloDriven final : public Autoscaler {
 public:
  explicit SloDriven(double down) : down_(down) {}
  int wanted(const PoolSignal& s) const override {
    const int now = s.serving + s.starting;
    if (s.latency_over_slo > 1 || s.backlog) return clamp_units(s, now + 1);
    if (s.latency_over_slo < down_ && s.utilisation < down_ && s.starting == 0) return clamp_units(s, now - 1);
    return clamp_units(s, now);
  }

 private:
  double down_;
};

}  // namespace

std::unique_ptr<Autoscaler> make_autoscaler(const AutoscaleSpec& spec) {
  switch (spec.policy) {
    case ScalingPolicy::kFixed: return std::make_unique<Fixed>();
    case ScalingPolicy::kThreshold: return std::make_unique<Threshold>(spec.up, spec.down);
    case ScalingPolicy::kTargetUtilisation: return std::make_unique<TargetUtilisation>(spec.target);
    case ScalingPolicy::kSlo: return std::make_unique<SloDriven>(spec.down);
  }
  return std::make_unique<Fixed>();
}

std::pair<int, int> at_fixed_ratio(int prefill, const PoolSignal& p, int decode, const PoolSignal& d) {
  const double share = std::max(static_cast<double>(prefill) / p.cap, static_cast<double>(decode) / d.cap);
  // Shares that are whole units stay so (no rounding up past them).
  const auto units = [share](const PoolSignal& s) {
    return std::clamp(static_cast<int>(std::ceil(share * s.cap - 1e-9)), s.floor, s.cap);
  };
  return {units(p), units(d)};
}

}  // namespace v3sim::models
