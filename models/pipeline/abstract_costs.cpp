#include "models/pipeline/abstract_costs.hpp"

namespace v3sim::models {

OpDuration abstract_durations(const OpCostsMs& c, int chunks) {
  const double w = c.W.value_or(0);
  const double fb = c.FB.value_or(c.F + c.B);
  const sim::Time f = sim::from_ms(c.F / chunks), b = sim::from_ms(c.B / chunks), wt = sim::from_ms(w / chunks),
                  pair = sim::from_ms(fb / chunks);
  return [=](const Op& op) -> sim::Time {
    switch (op.kind) {
      case OpKind::kF: return f;
      case OpKind::kB: return b;
      case OpKind::kI: return b - wt;
      case OpKind::kW: return wt;
      case OpKind::kFB: return pair;
    }
    return 0;
  };
}

}  // namespace v3sim::models
