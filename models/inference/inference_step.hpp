#pragma once
// One prefill or decode step of a serving deployment on the engine
// (docs/inference-model.md): every GPU of one deployment unit runs its
// layers' stages on an in-order compute stream, two micro-batches
// interleaved in DeepSeek's order when overlapped. Prefill's exchanges run
// on a comm stream and begin once every GPU has started them; decode's are a
// send and a receive kernel with DeepEP's round in flight between them. Each
// takes that GPU's own time, from the tokens its experts receive under the
// step's load and placement.
#include <string>
#include <vector>

#include "models/cluster_config.hpp"
#include "models/inference/inference_memory.hpp"
#include "models/inference/inference_ops.hpp"
#include "models/inference/inference_spec.hpp"
#include "sim/time.hpp"

namespace v3sim::models {

class StepLoadCache;

// A stage run or an exchange of one micro-batch, for the timeline.
struct InferenceTaskRecord {
  int gpu;
  bool exchange;    // dispatch / combine (comm stream in prefill, bytes on the NIC in decode)
  std::string stage;  // "ATTN", "ATTN-0", "ATTN-1", "SHARED", "MLP", "HEAD", "SEND", "RECV", "DISPATCH", "COMBINE"
  int micro_batch;
  int layer;        // main layers 0..L-1, then the MTP module
  sim::Time start;
  sim::Time end;
};

struct StageTotal {
  std::string stage;
  double mean_ms = 0;  // per GPU, summed over the step
  double max_ms = 0;
};

struct InferenceResult {
  InferenceSpec spec;
  int gpus = 0;   // of the deployment unit simulated
  int nodes = 0;
  int micro_batches = 1;
  double step_s = 0;
  double tokens_per_step_per_gpu = 0;  // prefill: input tokens; decode: expected output tokens
  double tokens_per_s_per_gpu = 0;
  double tokens_per_s_per_node = 0;
  double step_s_without_mtp = 0;       // decode with MTP: the same step without the draft
  double tokens_per_s_per_gpu_without_mtp = 0;
  double mtp_draft_ms = 0;             // the MTP module's own stage time in the step (GPU mean)
  double ttft_s = 0;                   // prefill: the batch's contribution to time to first token
  double tpot_s = 0;                   // decode: time per output token
  std::vector<double> layer_ms;        // per layer (MTP module last): when its last task ends, minus the previous
  std::vector<StageTotal> stages;
  double compute_busy_ms_mean = 0, compute_busy_ms_max = 0;
  // Compute on a GPU's own tokens (attention, dense layers, the shared
  // expert, the head: all but the routed experts and the exchanges' kernels),
  // the busiest GPU's.
  double rank_local_ms_max = 0;
  // Expert-parallel bytes on a GPU's NIC over the step (the larger direction,
  // every exchange), the mean GPU's.
  double nic_bytes_per_gpu = 0;
  double comm_busy_ms_mean = 0, comm_busy_ms_max = 0;
  InferenceMemory memory;
  // Token copies the busiest GPU's experts receive over the mean, averaged
  // over the MoE layers: experts split evenly without redundancy (before),
  // and as placed (after).
  double load_imbalance_before = 0;
  double load_imbalance_after = 0;
  int slowest_gpu = 0;  // the GPU whose compute is busiest
  std::vector<InferenceTaskRecord> tasks;  // GPU 0 and the slowest GPU
  std::vector<std::string> reductions;     // shortcuts taken, for the report
  std::vector<std::string> warnings;
  std::uint64_t events = 0;
  std::size_t task_count = 0;
  double wall_seconds = 0;
};

// The busiest GPU's rank-local compute of a step (rank_local_ms_max, in
// seconds) from the stages' costs alone: no load draw, exchange or graph.
double rank_local_seconds(const ClusterConfig& cluster, const InferenceSpec& spec);

// Throws sim::InputError for a deployment that does not fit the cluster or HBM.
// With an MTP draft the same step without it is simulated too (the summary's
// baseline) unless `mtp_baseline` is false. `cache`: one unit's step loads,
// kept by batch, shared by calls that differ only in batch, prompt and KV
// length (serving's step prices).
InferenceResult simulate_inference(const ClusterConfig& cluster, const InferenceSpec& spec, bool mtp_baseline = true,
                                   StepLoadCache* cache = nullptr);

}  // namespace v3sim::models
