#include "models/training/rank_memory.hpp"

#include <algorithm>

namespace v3sim::models {

RankMemory rank_memory(const TrainingSpec& t, const Schedule& s, const StagePlan& plan, const RankResult& rank,
                       const BlockParameters& params, int dp, double capacity_bytes) {
  RankMemory m;
  const int tp = t.parallel.tp, ep = t.parallel.ep;
  const double dense = params.dense / tp, routed = params.routed / ep;
  m.parameters = 2 * (dense + routed);
  m.gradients = 4 * (dense + routed);
  const bool zero = t.parallel.zero == 1;
  m.optimizer = 8 * (zero ? dense / dp + routed / (dp / ep) : dense + routed);
  m.capacity = capacity_bytes;

  auto saved = [&](const Chunk& c) { return plan.parts[static_cast<std::size_t>(s.part_of[c.lane][c.stage])].saved_bytes; };
  // (time, +bytes allocated / -bytes freed); frees first at equal times.
  std::vector<std::pair<sim::Time, double>> events;
  for (const OpRecord& r : rank.ops) {
    switch (r.op.kind) {
      case OpKind::kF: events.push_back({r.start, saved(r.op.a)}); break;
      case OpKind::kB:
      case OpKind::kI: events.push_back({r.end, -saved(r.op.a)}); break;
      case OpKind::kW: break;
      case OpKind::kFB:
        events.push_back({r.start, saved(r.op.a)});
        events.push_back({r.end, -saved(r.op.b)});
        break;
    }
  }
  std::sort(events.begin(), events.end());
  double held = 0;
  for (const auto& [time, bytes] : events) {
    held += bytes;
    m.activations = std::max(m.activations, held);
  }
  return m;
}

}  // namespace v3sim::models
