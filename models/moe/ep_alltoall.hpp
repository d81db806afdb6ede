#pragma once
// Expert-parallel dispatch and combine on the cluster, at flow level, as in
// DeepEP's normal kernels: a token goes over the fabric once per target node,
// to the GPU with the sender's in-node index, which forwards it over NVLink
// to every GPU there holding one of its experts; combine runs the same paths
// backwards, reducing a node's expert outputs before they cross the fabric.
// The communication kernel holds `comm_sms` SMs and cannot inject faster
// than they move data. See docs/ep-communication.md.
#include <nlohmann/json.hpp>
#include <string>

#include "models/cluster_config.hpp"
#include "models/moe/ep_phase_simulator.hpp"
#include "models/moe/token_routing.hpp"
#include "models/sm_partition.hpp"
#include "topologies/cluster_graph.hpp"
#include "topologies/routing.hpp"
#include "sim/time.hpp"

namespace v3sim::models {

struct EpAllToAllSpec {
  int ep = 8;
  int tokens_per_rank = 4096;
  int hidden = 7168;
  int topk = 8;
  int experts = 256;
  int groups = 0;       // expert groups; 0: one per node (DeepEP's benchmark)
  int group_limit = 4;  // groups (nodes) a token may reach
  std::string dispatch_dtype = "fp8";
  std::string combine_dtype = "bf16";
  int comm_sms = 24;
  bool comm_offload = false;  // co-processor what-if: 0 SMs, no injection cap
  double skew = 0;
  std::uint64_t seed = 1;
};

struct EpResult {
  EpAllToAllSpec spec;
  TokenRouting routing;
  EpPhaseResult dispatch;
  EpPhaseResult combine;
  double comm_gb_per_s_per_sm = 0;
  double wall_seconds = 0;
};

EpAllToAllSpec parse_ep_alltoall(const nlohmann::json& value, const std::string& pointer);

// Bytes one token takes on the wire: FP8 with one FP32 scale per 128
// channels, or BF16.
double token_bytes(const std::string& dtype, int hidden);

// Throws sim::InputError (pointer "/workload") if the cluster is too small.
EpResult simulate_ep_alltoall(const ClusterConfig& cluster, const EpAllToAllSpec& spec);

// One phase on an already built cluster with given routing and SM split;
// `router`, when given, is the cluster's shared one.
EpPhaseResult simulate_ep_phase(const topologies::Cluster& cluster, const EpAllToAllSpec& spec,
                                const TokenRouting& routing, const SmPartition& sms, double comm_bytes_per_s_per_sm,
                                bool combine, topologies::Router* router = nullptr);

}  // namespace v3sim::models
