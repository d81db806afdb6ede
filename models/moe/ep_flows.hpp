#pragma once
// The flows of one expert-parallel all-to-all phase, as DeepEP's normal
// kernels move data: a token crosses the fabric once per target node, to the
// GPU with the sender's in-node index, which forwards it over NVLink to the
// GPUs there holding its experts. Combine runs the same paths backwards. The
// flows are data, so a phase can be simulated alone or inside a whole
// training step.
//
// A phase's possible flows (its slots) depend only on the ranks and nodes;
// the routing decides their bytes. Simulators that run one phase many times
// (an inference step, once per layer) keep the slots and recompute bytes.
#include <vector>

#include "models/moe/token_routing.hpp"
#include "topologies/cluster_graph.hpp"
#include "topologies/routing.hpp"

namespace v3sim::models {

struct EpFlowSlot {
  int from;  // EP rank
  int to;    // EP rank
  std::vector<topologies::EdgeId> edges;
  bool by_sms;  // NVLink copies made by the kernel's SMs (RDMA is NIC DMA)
};

struct EpFlow {
  int from;  // EP rank
  int to;    // EP rank
  std::vector<topologies::EdgeId> edges;
  double bytes;
  bool by_sms;
};

// Every flow a phase over `ranks` ranks, `ranks_per_node` to a node, may
// have: the fabric flows by (sender, target node), then the NVLink flows by
// (rank, rank) within each node. `members[i]`: the cluster GPU of EP rank i,
// members of a node contiguous.
std::vector<EpFlowSlot> ep_phase_slots(topologies::Router& router, const std::vector<int>& members, int ranks,
                                       int ranks_per_node, bool combine);

// Each slot's bytes under `routing`, in ep_phase_slots' order.
void ep_phase_bytes(const TokenRouting& routing, double bytes_per_token, std::vector<double>& bytes);

// The flows that carry bytes, in slot order.
std::vector<EpFlow> ep_phase_flows(topologies::Router& router, const std::vector<int>& members,
                                   const TokenRouting& routing, double bytes_per_token, bool combine);

}  // namespace v3sim::models
