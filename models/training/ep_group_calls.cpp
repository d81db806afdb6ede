#include "models/training/ep_group_calls.hpp"

#include <array>

#include "models/moe/ep_flows.hpp"

namespace v3sim::models {

void wait_for_slowest(sim::TaskGraph& g, const std::vector<CommCall>& typical, const std::vector<CommCall>& slowest) {
  for (std::size_t k = 0; k < typical.size(); ++k) g.add_edge(slowest[k].launch, typical[k].notified);
}

void exchange_in_ep_group(sim::TaskGraph& g, ClusterNetwork& network, const StepNetwork& net,
                          sim::ResourceId barrier_resource, const std::vector<EpGroupMember>& members) {
  const std::size_t n = members.size();
  std::vector<int> gpus;
  for (const EpGroupMember& m : members) gpus.push_back(m.gpu);
  // One exchange template per phase (paths stored once), instantiated per
  // call: flows exist only while in flight (sim/task_graph.hpp).
  std::array<std::uint32_t, kEpPhases> templ{};
  for (int ph = 0; ph < kEpPhases; ++ph) {
    std::vector<sim::ExchangeFlow> flows;
    for (EpFlow& f : ep_phase_flows(network.router(), gpus, *net.routing, net.bytes_per_token[static_cast<std::size_t>(ph)],
                                    ph == static_cast<int>(EpPhase::kFromExperts))) {
      std::vector<sim::LinkId> path;
      const sim::LinkId cap = members[static_cast<std::size_t>(f.from)].comm_sms;
      if (f.by_sms && cap != kNoLink) path.push_back(cap);
      for (sim::LinkId l : network.links(f.edges)) path.push_back(l);
      flows.push_back({static_cast<std::uint32_t>(f.from), static_cast<std::uint32_t>(f.to), f.bytes, g.add_path(path)});
    }
    templ[static_cast<std::size_t>(ph)] = g.add_exchange_template(static_cast<std::uint32_t>(n), std::move(flows));
  }
  std::vector<sim::TaskId> notified(n), done(n);
  for (std::size_t k = 0; k < members.front().calls->size(); ++k) {
    const CommCall& first = (*members.front().calls)[k];
    const sim::TaskId barrier = first.barrier ? g.add_task(barrier_resource, 0) : ~sim::TaskId{0};
    for (std::size_t i = 0; i < n; ++i) {
      const CommCall& c = (*members[i].calls)[k];
      notified[i] = c.notified;
      done[i] = c.done;
      if (!first.barrier) continue;
      g.add_edge(c.launch, barrier);
      g.add_edge(barrier, c.notified);
    }
    g.add_exchange(templ[static_cast<std::size_t>(first.phase)], notified, done);
  }
}

}  // namespace v3sim::models
