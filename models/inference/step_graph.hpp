#pragma once
// The engine graph of one serving step from its per-GPU costs
// (docs/inference-model.md, "A step on the engine"): prefill's compute and
// comm streams, decode's compute stream with DeepEP's low-latency exchanges
// in flight between their send and receive kernels.
#include <map>
#include <vector>

#include "models/inference/inference_ops.hpp"
#include "models/inference/inference_spec.hpp"
#include "sim/task_graph.hpp"

namespace v3sim::models {

// One exchange of one layer, per GPU.
struct ExchangeCost {
  std::vector<double> time_s;  // prefill: the GPU's part of the normal kernel's exchange
  std::vector<double> nic_bytes;  // both: what the GPU's NIC carries, the larger direction
  // Decode: the send and receive kernels' SM time, the benchmark's round
  // (send to arrival, kernels included), and the last sender's messages'
  // time after its send.
  std::vector<double> send_s, recv_s, round_s, late_s;
};

struct LayerCosts {
  std::map<Stage, std::vector<double>> stage_s;  // per GPU seconds of each compute stage of one micro-batch
  ExchangeCost dispatch, combine;
};

// What a task of the graph stands for, for the timeline and the totals.
struct TaskMeta {
  int gpu;
  bool exchange;      // the exchange itself (prefill's comm stream, decode's NIC), not a kernel on the compute stream
  const char* stage;  // a Stage's name, "DISPATCH"/"COMBINE", or decode's "SEND"/"RECV" kernels
  int mb;
  int layer;
};

struct StepGraph {
  sim::TaskGraph graph;
  std::vector<sim::TaskId> ids;  // the tasks reported, with their meta
  std::vector<TaskMeta> meta;
  void record(sim::TaskId t, TaskMeta m) {
    ids.push_back(t);
    meta.push_back(m);
  }
};

const char* stage_name(Stage s);

// Prefill: micro-batches take turns on each GPU's compute stream ([MLP],
// [SHARED, next ATTN]: DeepSeek's prefill order); each dispatch and combine
// runs on the comm stream, begins everywhere once every GPU has started it,
// and takes the GPU's own time.
void build_prefill_graph(StepGraph& g, const InferenceSpec& s, const std::vector<LayerCosts>& costs, int ep);

// Decode: each micro-batch's chain ATTN-0, ATTN-1, dispatch send, SHARED,
// dispatch receive, MLP, combine send, [combine receive, next ATTN-0], the
// second micro-batch one turn behind the first (DeepSeek's order SHARED(0)
// ATTN-0(1) MLP(0) ATTN-1(1) SHARED(1) ATTN-0(0) MLP(1) ATTN-1(0)).
// `nic_line_bytes_per_s`: a GPU's NIC line rate, at which its bytes occupy it.
void build_decode_graph(StepGraph& g, const InferenceSpec& s, const std::vector<LayerCosts>& costs, int ep,
                        double nic_line_bytes_per_s);

}  // namespace v3sim::models
