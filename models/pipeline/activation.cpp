#include "models/pipeline/activation.hpp"

#include <algorithm>

namespace v3sim::models {

void account_activations(RankResult& rank) {
  std::vector<std::pair<sim::Time, int>> deltas;
  for (const OpRecord& r : rank.ops) {
    switch (r.op.kind) {
      case OpKind::kF: deltas.emplace_back(r.start, +1); break;
      case OpKind::kB:
      case OpKind::kI: deltas.emplace_back(r.end, -1); break;
      case OpKind::kFB:
        deltas.emplace_back(r.start, +1);
        deltas.emplace_back(r.end, -1);
        break;
      case OpKind::kW: break;
    }
  }
  // At equal times frees come first: memory released by an op that ends is
  // available to one that starts at the same instant.
  std::sort(deltas.begin(), deltas.end());
  rank.activation_curve.clear();
  rank.activation_curve.emplace_back(0, 0);
  int held = 0, peak = 0;
  for (const auto& [t, d] : deltas) {
    held += d;
    peak = std::max(peak, held);
    if (rank.activation_curve.back().first == t)
      rank.activation_curve.back().second = held;
    else
      rank.activation_curve.emplace_back(t, held);
  }
  rank.peak_activations = peak;
}

}  // namespace v3sim::models
