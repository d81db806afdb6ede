#pragma once
// How the members of an expert-parallel group meet at each all-to-all of a
// training step's task graph (models/training/step_graph.cpp builds the
// members' streams; this wires their calls together). Every member lists
// its all-to-all calls in program order, the same order on every member.
#include <vector>

#include "models/cluster_network.hpp"
#include "models/training/step_graph.hpp"
#include "sim/task_graph.hpp"

namespace v3sim::models {

// One all-to-all call of one member. Full fidelity: the kernel launches,
// its notify waits for every member (the barrier) and exchanges the counts,
// its flows run, it completes. Reduced fidelity with a slowest member:
// `notified` is `done`, one task of notify and all-to-all.
struct CommCall {
  sim::TaskId launch, notified, done;
  int phase;     // the EpPhase of its flows
  bool barrier;  // a notify precedes the flows
};

// Reduced fidelity: the typical member's k-th all-to-all cannot start
// before the slowest member has launched its k-th. One-way, because the
// slowest member runs the same kernels, only longer, and never waits.
void wait_for_slowest(sim::TaskGraph& g, const std::vector<CommCall>& typical, const std::vector<CommCall>& slowest);

// Full fidelity, one EP group: per call, a zero-time barrier that every
// member's launch precedes and every member's notify follows, then the
// call's flows between the members as one engine exchange (created when both
// ends' notifies have ended); a member's call completes when everything it
// sends and receives has.
struct EpGroupMember {
  int gpu;
  const std::vector<CommCall>* calls;
  sim::LinkId comm_sms;  // the member's comm-SM injection cap, or kNoLink when uncapped
};
inline constexpr sim::LinkId kNoLink = ~sim::LinkId{0};
void exchange_in_ep_group(sim::TaskGraph& g, ClusterNetwork& network, const StepNetwork& net,
                          sim::ResourceId barrier_resource, const std::vector<EpGroupMember>& members);

}  // namespace v3sim::models
