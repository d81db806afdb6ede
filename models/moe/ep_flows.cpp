#include "models/moe/ep_flows.hpp"

#include <map>

namespace v3sim::models {

std::vector<EpFlow> ep_phase_flows(topologies::Router& router, const std::vector<int>& members,
                                   const TokenRouting& r, double bytes_per_token, bool combine) {
  const int gpn = r.ranks_per_node, ep = r.ranks;
  std::vector<EpFlow> flows;
  // NVLink traffic aggregated per (from, to) rank pair: local sends and forwards.
  std::map<std::pair<int, int>, double> nvlink;
  for (int s = 0; s < ep; ++s) {
    const int node = s / gpn;
    for (int n = 0; n < r.nodes; ++n) {
      if (n == node) {
        for (int d = n * gpn; d < (n + 1) * gpn && d < ep; ++d)
          if (d != s) nvlink[{s, d}] += static_cast<double>(r.to_rank(s, d)) * bytes_per_token;
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
        if (d != relay) nvlink[{relay, d}] += static_cast<double>(r.to_rank(s, d)) * bytes_per_token;
    }
  }
  for (const auto& [pair, bytes] : nvlink) {
    if (bytes <= 0) continue;
    const auto [from, to] = combine ? std::pair{pair.second, pair.first} : pair;
    flows.push_back(EpFlow{from, to,
                           router.gpu_path(members[from], members[to], static_cast<std::uint64_t>(from * ep + to)),
                           bytes, true});
  }
  return flows;
}

}  // namespace v3sim::models
