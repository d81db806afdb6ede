#include "models/moe/ep_flows.hpp"

#include <algorithm>

namespace v3sim::models {
namespace {

// Slot of the NVLink pair (a, b), a != b on one node of `gpn` ranks (`per_node`
// of them present), after `fabric` fabric slots.
std::size_t nvlink_slot(std::size_t fabric, int gpn, int per_node, int a, int b) {
  const int la = a % gpn, lb = b % gpn;
  return fabric + static_cast<std::size_t>(a) * static_cast<std::size_t>(per_node - 1) +
         static_cast<std::size_t>(lb - (lb > la ? 1 : 0));
}

std::size_t fabric_slots(int ranks, int nodes) { return static_cast<std::size_t>(ranks) * static_cast<std::size_t>(nodes - 1); }

}  // namespace

std::vector<EpFlowSlot> ep_phase_slots(topologies::Router& router, const std::vector<int>& members, int ranks,
                                       int ranks_per_node, bool combine) {
  const int gpn = ranks_per_node, nodes = (ranks + gpn - 1) / gpn;
  std::vector<EpFlowSlot> slots;
  // Fabric: a sender's tokens for node n go to the GPU of its in-node index
  // there (the relay), which returns them in combine.
  for (int s = 0; s < ranks; ++s)
    for (int n = 0; n < nodes; ++n) {
      if (n == s / gpn) continue;
      const int relay = n * gpn + s % gpn;
      const auto [from, to] = combine ? std::pair{relay, s} : std::pair{s, relay};
      slots.push_back(EpFlowSlot{
          from, to, router.gpu_path_split(members[from], members[to], static_cast<std::uint64_t>(s * nodes + n)).fabric,
          false});
    }
  // NVLink: every ordered pair of one node's ranks (local sends and forwards).
  for (int a = 0; a < ranks; ++a)
    for (int b = a / gpn * gpn; b < (a / gpn + 1) * gpn && b < ranks; ++b) {
      if (b == a) continue;
      const auto [from, to] = combine ? std::pair{b, a} : std::pair{a, b};
      slots.push_back(EpFlowSlot{
          from, to, router.gpu_path(members[from], members[to], static_cast<std::uint64_t>(from * ranks + to)), true});
    }
  return slots;
}

void ep_phase_bytes(const TokenRouting& r, double bytes_per_token, std::vector<double>& bytes) {
  const int gpn = r.ranks_per_node, ep = r.ranks;
  const std::size_t fabric = fabric_slots(ep, r.nodes);
  const int per_node = std::min(ep, gpn);
  const std::size_t nvlink = static_cast<std::size_t>(ep) * static_cast<std::size_t>(per_node - 1);
  bytes.assign(fabric + nvlink, 0);
  std::size_t k = 0;
  for (int s = 0; s < ep; ++s) {
    const int node = s / gpn;
    for (int n = 0; n < r.nodes; ++n) {
      if (n == node) {
        for (int d = n * gpn; d < (n + 1) * gpn && d < ep; ++d)
          if (d != s) bytes[nvlink_slot(fabric, gpn, per_node, s, d)] += static_cast<double>(r.to_rank(s, d)) * bytes_per_token;
        continue;
      }
      const int relay = n * gpn + s % gpn;
      bytes[k++] = static_cast<double>(r.to_node(s, n)) * bytes_per_token;
      for (int d = n * gpn; d < (n + 1) * gpn; ++d)
        if (d != relay) bytes[nvlink_slot(fabric, gpn, per_node, relay, d)] += static_cast<double>(r.to_rank(s, d)) * bytes_per_token;
    }
  }
}

std::vector<EpFlow> ep_phase_flows(topologies::Router& router, const std::vector<int>& members,
                                   const TokenRouting& routing, double bytes_per_token, bool combine) {
  std::vector<double> bytes;
  ep_phase_bytes(routing, bytes_per_token, bytes);
  std::vector<EpFlowSlot> slots = ep_phase_slots(router, members, routing.ranks, routing.ranks_per_node, combine);
  std::vector<EpFlow> flows;
  for (std::size_t i = 0; i < slots.size(); ++i)
    if (bytes[i] > 0) flows.push_back(EpFlow{slots[i].from, slots[i].to, std::move(slots[i].edges), bytes[i], slots[i].by_sms});
  return flows;
}

}  // namespace v3sim::models
