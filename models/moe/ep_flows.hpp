#pragma once
// The flows of one expert-parallel all-to-all phase, as DeepEP's normal
// kernels move data: a token crosses the fabric once per target node, to the
// GPU with the sender's in-node index, which forwards it over NVLink to the
// GPUs there holding its experts. Combine runs the same paths backwards. The
// flows are data, so a phase can be simulated alone or inside a whole
// training step.
#include <vector>

#include "models/moe/token_routing.hpp"
#include "topologies/cluster_graph.hpp"
#include "topologies/routing.hpp"

namespace v3sim::models {

struct EpFlow {
  int from;  // EP rank
  int to;    // EP rank
  std::vector<topologies::EdgeId> edges;
  double bytes;
  bool by_sms;  // NVLink copies made by the kernel's SMs (RDMA is NIC DMA)
};

// `members[i]`: the cluster GPU of EP rank i, members of a node contiguous.
std::vector<EpFlow> ep_phase_flows(topologies::Router& router, const std::vector<int>& members,
                                   const TokenRouting& routing, double bytes_per_token, bool combine);

}  // namespace v3sim::models
