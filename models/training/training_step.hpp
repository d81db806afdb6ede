#pragma once
// One training step on a cluster: the stage plan, the all-to-all phases, the
// component-level pipeline on the engine, the data-parallel tail, memory per
// rank and the headline numbers. Every shortcut taken is listed in
// `reductions`, for the report.
#include <array>
#include <string>
#include <vector>

#include "models/cluster_config.hpp"
#include "models/training/dp_sync.hpp"
#include "models/training/rank_memory.hpp"
#include "models/training/step_graph.hpp"

namespace v3sim::models {

struct TrainingRank {
  int rank = 0;
  sim::Time pipeline_end = 0;
  sim::Time compute = 0;
  sim::Time exposed_comm = 0;
  DpSyncTimes dp_sync;
  sim::Time host_wait = 0;  // GPU idle until the host had issued its next kernels
  sim::Time bubble = 0;  // step minus compute, exposed communication, host waits and the tail
  RankMemory memory;
};

struct TrainingResult {
  TrainingSpec spec;
  int gpus = 0;
  int dp = 0;
  int microbatches = 0;
  StagePlan plan;
  PipelineResult pipeline;  // replica 0's ops
  std::vector<TrainingRank> ranks;
  std::vector<ComponentRecord> components;
  std::vector<ComponentEdge> component_edges;  // replica 0's data dependencies between `components`
  std::array<sim::Time, kEpPhases> phase_time{};
  // Bytes one GPU sends in each all-to-all phase (the mean over the EP
  // group), over NVLink (copies by the comm SMs) and over the NIC (RDMA).
  std::array<double, kEpPhases> phase_nvlink_bytes{}, phase_rdma_bytes{};
  sim::Time p2p_time = 0;
  // DeepEP's notify: the round of messages with the farthest EP member, and
  // the slowest member's received token copies over the mean (docs/ep-communication.md).
  sim::Time notify_round = 0;
  double slowest_expert_scale = 1;
  double p2p_bytes = 0;  // one pipeline transfer: a micro-batch's hidden state (BF16)
  int comm_sms = 0;      // SMs the communication kernels hold (0 when offloaded)
  // Replica 0's chunks on each rank: when their saved activations were held.
  std::vector<std::vector<ChunkLife>> chunk_lives;
  sim::Time chunk_pair_time = 0;  // schedule "chunk_pair": the overlapped pair's span
  double step_time_s = 0;
  double tokens_per_step = 0;
  double tokens_per_s = 0;
  double tokens_per_day = 0;
  double gpu_hours_per_trillion_tokens = 0;
  double model_flops_per_step = 0;
  double mfu_bf16 = 0;
  double mfu_fp8 = 0;
  std::vector<std::string> reductions;
  std::vector<std::string> warnings;
  std::uint64_t events = 0;
  std::size_t tasks = 0;
  std::size_t flows = 0;
  double wall_seconds = 0;
};

// Throws sim::InputError for a cluster that does not fit the parallelism.
TrainingResult simulate_training(const ClusterConfig& cluster, const TrainingSpec& spec);

}  // namespace v3sim::models
