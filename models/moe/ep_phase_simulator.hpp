#pragma once
// One expert-parallel phase (dispatch or combine) of DeepEP's normal kernels
// on a cluster, as a batch of flows (sim/flow_batch.hpp): the flows start
// together and wait for nothing. The flows' paths depend only on the ranks,
// so the simulator is built once and run for any routing of them: an
// inference step runs it once per layer with that layer's tokens.
#include <memory>
#include <string>
#include <vector>

#include "models/cluster_network.hpp"
#include "models/moe/ep_flows.hpp"
#include "models/moe/token_routing.hpp"
#include "models/sm_partition.hpp"
#include "sim/flow_batch.hpp"
#include "sim/time.hpp"
#include "topologies/cluster_graph.hpp"
#include "topologies/routing.hpp"

namespace v3sim::models {

// One aggregated flow of a phase, for the trace.
struct EpFlowRecord {
  int from_gpu;
  int to_gpu;
  bool fabric;  // crosses the fabric (else NVLink only)
  double bytes;
  sim::Time start;
  sim::Time end;
};

struct EpPhaseResult {
  sim::Time time = 0;
  double bytes_per_token = 0;
  double nvlink_logical_gb_per_s = 0;  // DeepEP's accounting, mean over ranks
  double rdma_logical_gb_per_s = 0;    // 0 within one node
  std::string bound_by;                // the resource class with the busiest link
  double bound_utilization = 0;        // that link's busy share of the phase
  std::uint64_t events = 0;
  std::size_t flows = 0;
  std::vector<EpFlowRecord> flow_records;  // the flows that carry bytes, in slot order
};

class EpPhaseSimulator {
 public:
  // EP ranks 0 .. ranks - 1 on the cluster's first GPUs, `ranks_per_node` to
  // a node; the kernel holds `sms.comm_sms` SMs, each moving
  // `per_sm_bytes_per_s` of NVLink copies. `router`: the cluster's shared one.
  EpPhaseSimulator(const topologies::Cluster& cluster, int ranks, int ranks_per_node, const SmPartition& sms,
                   double per_sm_bytes_per_s, bool combine, topologies::Router* router = nullptr);

  // The phase under `routing` (of these ranks), `bytes_per_token` per token copy.
  EpPhaseResult run(const TokenRouting& routing, double bytes_per_token);

 private:
  std::string class_name(sim::LinkId link) const;

  sim::TaskGraph links_;  // holds the links the flows use (and their names)
  ClusterNetwork net_;
  std::vector<EpFlowSlot> slots_;
  std::vector<std::vector<sim::LinkId>> paths_;  // per slot
  sim::FlowBatch batch_;
  std::vector<double> bytes_, link_bytes_;
};

}  // namespace v3sim::models
