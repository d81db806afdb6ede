#include "models/moe/ep_flows.hpp"

#include <vector>

namespace v3sim::models {

std::vector<EpFlow> ep_phase_flows(topologies::Router& router, const std::vector<int>& members,
                                   const TokenRouting& r, double bytes_per_token, bool combine) {
  const int gpn = r.ranks_per_node, ep = r.ranks;
  std::vector<EpFlow> flows;
  // NVLink traffic aggregated per (from, to) rank pair: local sends and forwards.
  std::vector<double> nvlink(static_cast<std::size_t>(ep) * static_cast<std::size_t>(ep), 0);
  auto pair_bytes = [&](int from, int to) -> double& { return nvlink[static_cast<std::size_t>(from) * static_cast<std::size_t>(ep) + static_cast<std::size_t>(to)]; };
  for (int s = 0; s < ep; ++s) {
    const int node = s / gpn;
    for (int n = 0; n < r.nodes; ++n) {
      if (n == node) {
        for (int d = n * gpn; d < (n + 1) * gpn && d < ep; ++d)
          if (d != s) pair_bytes(s, d) += static_cast<double>(r.to_rank(s, d)) * bytes_per_token;
        continue;
      }
      const int relay = n * gpn + s % gpn;
      const auto [from, to] = combine ? std::pair{relay, s} : std::pair{s, relay};
      const double bytes = static_cast<double>(r.to_node(s, n)) * bytes_per_token;
      if (bytes > 0)
        flows.push_back(EpFlow{from, to,
                               router.gpu_path_split(members[from], members[to], static_cast<std::uint64_t>(s * r.nodes + n)).fabric,
                               bytes, false});
      for (int d = n * gpn; d < (n + 1) * gpn; ++d)
        if (d != relay) pair_bytes(relay, d) += static_cast<double>(r.to_rank(s, d)) * bytes_per_token;
    }
  }
  // In (from, to) order, as the flows have always been listed.
  for (int a = 0; a < ep; ++a)
    for (int b = 0; b < ep; ++b) {
      const double bytes = pair_bytes(a, b);
      if (bytes <= 0) continue;
      const auto [from, to] = combine ? std::pair{b, a} : std::pair{a, b};
      flows.push_back(EpFlow{from, to,
                             router.gpu_path(members[from], members[to], static_cast<std::uint64_t>(from * ep + to)),
                             bytes, true});
    }
  return flows;
}

}  // namespace v3sim::models
