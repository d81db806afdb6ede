#include "models/moe/ep_phase_simulator.hpp"

#include <algorithm>

namespace v3sim::models {

EpPhaseSimulator::EpPhaseSimulator(const topologies::Cluster& c, int ranks, int ranks_per_node, const SmPartition& sms,
                                   double per_sm_bytes_per_s, bool combine, topologies::Router* router)
    : net_(c, links_, router) {
  std::vector<sim::LinkId> injection;
  for (int g = 0; g < ranks && !sms.offload; ++g)
    injection.push_back(links_.add_link("gpu" + std::to_string(g) + " comm SMs", sms.comm_cap(per_sm_bytes_per_s), 0));
  std::vector<int> members(static_cast<std::size_t>(ranks));
  for (int i = 0; i < ranks; ++i) members[static_cast<std::size_t>(i)] = i;
  slots_ = ep_phase_slots(net_.router(), members, ranks, std::min(ranks, ranks_per_node), combine);
  // NVLink transfers are loads and stores of the kernel's SMs and pass
  // through the sender's SM cap; RDMA payload is read by the NIC's DMA
  // engine, so fabric flows do not.
  for (const EpFlowSlot& s : slots_) {
    std::vector<sim::LinkId> path;
    if (s.by_sms && !injection.empty()) path.push_back(injection[static_cast<std::size_t>(s.from)]);
    for (sim::LinkId l : net_.links(s.edges)) path.push_back(l);
    paths_.push_back(std::move(path));
  }
  for (const sim::Link& l : links_.links()) batch_.add_link(l.bandwidth, l.latency);
  for (const auto& p : paths_) batch_.add_flow(p);
}

EpPhaseResult EpPhaseSimulator::run(const TokenRouting& routing, double bytes_per_token) {
  ep_phase_bytes(routing, bytes_per_token, bytes_);
  const sim::FlowBatch::Result t = batch_.run(bytes_);
  EpPhaseResult r;
  link_bytes_.assign(links_.links().size(), 0);
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (bytes_[i] <= 0) continue;
    const EpFlowSlot& s = slots_[i];
    r.flow_records.push_back(EpFlowRecord{s.from, s.to, !s.by_sms, bytes_[i], 0, t.end[i]});
    r.time = std::max(r.time, t.end[i]);
    r.events += 2;  // drained, then ended a path latency later
    for (sim::LinkId l : paths_[i]) link_bytes_[l] += bytes_[i];
  }
  r.flows = r.flow_records.size();
  for (sim::LinkId link = 0; link < link_bytes_.size(); ++link) {
    const double bytes = link_bytes_[link];
    if (bytes <= 0) continue;
    const double busy = bytes / links_.links()[link].bandwidth * 1e9 / static_cast<double>(std::max<sim::Time>(1, r.time));
    if (busy > r.bound_utilization) {
      r.bound_utilization = busy;
      r.bound_by = class_name(link);
    }
  }
  return r;
}

std::string EpPhaseSimulator::class_name(sim::LinkId link) const {
  const topologies::EdgeProps* e = net_.edge_of(link);
  if (e == nullptr) return "comm SMs (NVLink copies)";
  switch (e->kind) {
    case topologies::LinkKind::kNvLink: return "NVLink";
    case topologies::LinkKind::kPcie: return "PCIe";
    case topologies::LinkKind::kFabric: return "InfiniBand";
  }
  return "?";
}

}  // namespace v3sim::models
