#include "models/training/rank_memory.hpp"

#include <algorithm>

namespace v3sim::models {

RankMemory rank_memory(const TrainingSpec& t, const StagePlan& plan, const std::vector<ChunkLife>& lives,
                       const BlockParameters& params, int dp, double capacity_bytes) {
  RankMemory m;
  const int tp = t.parallel.tp, ep = t.parallel.ep;
  const double dense = params.dense / tp, routed = params.routed / ep;
  m.parameters = 2 * (dense + routed);
  m.gradients = 4 * (dense + routed);
  const bool zero = t.parallel.zero == 1;
  // ZeRO-1 shards the dense states over the data- and context-parallel GPUs
  // and the routed experts' over the GPUs holding the same experts
  // (tp x cp x dp / ep: models/training/expert_groups.hpp).
  const int cp = t.parallel.cp;
  const double expert_dp = static_cast<double>(tp) * cp * dp / ep;
  m.optimizer = 8 * (zero ? dense / (static_cast<double>(dp) * cp) + routed / expert_dp : dense + routed);
  m.capacity = capacity_bytes;
  // (time, +bytes allocated / -bytes freed); frees first at equal times.
  std::vector<std::pair<sim::Time, double>> events;
  for (const ChunkLife& c : lives) {
    const double bytes = plan.parts[static_cast<std::size_t>(c.part)].saved_bytes;
    events.push_back({c.alloc, bytes});
    events.push_back({c.free, -bytes});
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
