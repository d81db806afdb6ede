#include "models/collectives.hpp"

#include <stdexcept>

namespace v3sim::models {

sim::TaskId add_point_to_point(ClusterNetwork& net, sim::ResourceId resource, int from, int to, double bytes) {
  const auto path = net.router().gpu_path(from, to, static_cast<std::uint64_t>(from) * 1'000'003 + to);
  return net.graph().add_flow(resource, bytes, net.links(path));
}

std::vector<sim::TaskId> add_ring_collective(ClusterNetwork& net, sim::ResourceId resource, CollectiveKind kind,
                                             const std::vector<int>& gpus, double bytes,
                                             const std::vector<sim::TaskId>& after) {
  const int n = static_cast<int>(gpus.size());
  if (n < 1) throw std::invalid_argument("a collective needs at least one GPU");
  if (!after.empty() && static_cast<int>(after.size()) != n) throw std::invalid_argument("one predecessor per GPU");
  std::vector<sim::TaskId> done(after.begin(), after.end());
  if (n == 1) return done;
  const int steps = (kind == CollectiveKind::kAllReduce ? 2 : 1) * (n - 1);
  const double chunk = bytes / n;
  std::vector<std::vector<sim::LinkId>> path(n);
  for (int i = 0; i < n; ++i)
    path[i] = net.links(net.router().gpu_path(gpus[i], gpus[(i + 1) % n], static_cast<std::uint64_t>(gpus[i])));
  std::vector<sim::TaskId> prev(n);
  for (int step = 0; step < steps; ++step) {
    std::vector<sim::TaskId> cur(n);
    for (int i = 0; i < n; ++i) {
      cur[i] = net.graph().add_flow(resource, chunk, path[i]);
      if (step > 0) {
        net.graph().add_edge(prev[i], cur[i]);            // own previous send
        net.graph().add_edge(prev[(i + n - 1) % n], cur[i]);  // the chunk it forwards arrived
      } else if (!after.empty()) {
        net.graph().add_edge(after[i], cur[i]);
      }
    }
    prev = cur;
  }
  // GPU i is complete when the last chunk it receives (from i-1) has arrived.
  done.assign(n, 0);
  for (int i = 0; i < n; ++i) done[i] = prev[(i + n - 1) % n];
  return done;
}

}  // namespace v3sim::models
