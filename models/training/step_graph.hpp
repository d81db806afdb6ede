#pragma once
// A training step's pipeline as a task graph at the level of DeepSeek's layer
// components: per GPU an in-order compute stream (kernels on the compute
// SMs) and an in-order communication stream (kernels on the comm SMs).
// Forward chunks run attention, dispatch, MLP, combine per block; backward
// chunks the reverse, with weight gradients beside them (B) or deferred
// (I then W); an overlapped pair F&B interleaves the two chunks in
// DeepSeek-V3's order: combine(B), attention(F), MLP(B), dispatch(F),
// dispatch(B), MLP(W), MLP(F), attention(B), attention(W), combine(F).
//
// Reduced fidelity simulates one pipeline replica (with expert parallelism,
// beside it the EP group's slowest member, whose launches its all-to-alls
// wait for); each all-to-all takes the time its phase took in a flow-level
// simulation of one EP group, and each pipeline transfer a fixed time. Full
// fidelity simulates every replica, with every all-to-all and transfer as
// flows on the shared fabric. How EP members meet at an all-to-all:
// models/training/ep_group_calls.hpp.
#include <array>
#include <cstdint>
#include <vector>

#include "models/moe/token_routing.hpp"
#include "topologies/routing.hpp"
#include "models/pipeline/pipeline_result.hpp"
#include "models/training/stage_plan.hpp"
#include "topologies/cluster_graph.hpp"

namespace v3sim::models {

struct StepNetwork {
  // Reduced fidelity.
  std::array<sim::Time, kEpPhases> phase_time{};
  sim::Time p2p_time = 0;
  // The slowest EP member's routed-expert work over a typical member's (its
  // received tokens over the mean). Reduced fidelity simulates that member
  // beside the typical one and holds each of the typical member's
  // all-to-alls until the slowest has launched its own (a shortcut stated in
  // the run's reductions; full fidelity simulates every member instead).
  double slowest_expert_scale = 1;
  // Both fidelities: DeepEP's notify exchanges one round of small messages
  // with the farthest member of the EP group (its path latency, there and back).
  sim::Time notify_round = 0;
  // Full fidelity.
  const topologies::Cluster* cluster = nullptr;
  topologies::Router* router = nullptr;  // the cluster's shared router
  const TokenRouting* routing = nullptr;
  std::array<double, kEpPhases> bytes_per_token{};
  double p2p_bytes = 0;
  double comm_cap_bytes_per_s = 0;  // per GPU comm-SM injection cap; infinity when offloaded
};

struct StepLayout {
  int pp = 1;
  int dp = 1;
  int ep = 1;
  int tp = 1;
  Fidelity fidelity = Fidelity::kReduced;
  // A lone chunk pair (models/training/chunk_pair.hpp): the pair starts once
  // the forward before it has finished, as a profiled pair whose inputs are
  // all ready does; without it the pair would begin under that forward's
  // last combine.
  bool isolate_pair = false;
  int cp = 1;
  // GPU index = ((pipeline rank x dp + data-parallel rank) x cp + context-parallel
  // rank) x tp + tensor-parallel rank (Megatron's order, TP innermost); a
  // replica stands for its first context- and tensor-parallel GPU.
  int gpu(int rank, int replica) const { return (rank * dp + replica) * cp * tp; }
};

// One component kernel of replica 0, for the trace.
struct ComponentRecord {
  int rank;
  bool comm;
  bool second_stream;  // compute on the second compute stream
  Component component;
  Pass pass;
  BlockKind block;
  sim::Time start;
  sim::Time end;
  int op = -1;  // index of the program op (F, B, W, F&B ...) it belongs to
  int unit = -1;   // the block's layer unit (BlockPlan::unit)
  int phase = -1;  // comm: the EpPhase of its all-to-all, -1 for none
  // comm: what its notify kernel spent beyond its launch: the round of
  // messages and the wait for the last peer of the EP group.
  sim::Time notify_wait = 0;
  // compute: its time alone; end - start exceeds it by what contention with
  // the GPU's other kernels cost it.
  sim::Time standalone = 0;
  // Its segment in the plan: StagePlan::parts[part].blocks[block], the list
  // of its pass (forward, input or weight), index `segment`.
  int part = -1, block_index = -1, segment = -1;
};

// A data dependency between two of replica 0's component kernels (indices
// into StepGraphResult::components), for exporters of the program as a graph
// (Chakra execution traces). Stream order is not listed: it is the order of
// `components` per rank and stream. `transfer`: the dependency runs through a
// pipeline transfer between ranks (an activation or a gradient).
struct ComponentEdge {
  int from;
  int to;
  bool transfer = false;
};

struct RankTimes {
  sim::Time end = 0;       // last kernel of the rank's pipeline program (its slowest replica's)
  sim::Time compute = 0;   // compute streams busy, their union (replica 0)
  sim::Time exposed_comm = 0;  // communication stream busy while compute is idle (replica 0)
  // The GPU idle, every stream, until the host had issued the next kernels
  // (replica 0): before each kernel the host's issue was the last thing to wait for.
  sim::Time host_wait = 0;
};

// A micro-batch chunk's activations on its rank: held from its forward's
// first kernel to the end of its input-gradient backward.
struct ChunkLife {
  int part;
  sim::Time alloc;
  sim::Time free;
};

struct StepGraphResult {
  PipelineResult pipeline;  // replica 0: per-op timings (busy/bubble filled later)
  std::vector<RankTimes> ranks;
  std::vector<ComponentRecord> components;
  std::vector<ComponentEdge> edges;  // replica 0's data dependencies between `components`
  std::vector<std::vector<ChunkLife>> chunk_lives;  // replica 0, per rank
  std::uint64_t events = 0;
  std::size_t tasks = 0;
  std::size_t flows = 0;
  double wall_seconds = 0;
};

StepGraphResult simulate_step_graph(const Schedule& schedule, const StagePlan& plan, const StepLayout& layout,
                                    const StepNetwork& net);

// Length of the union of `busy` intervals not covered by `covered`.
sim::Time uncovered_time(std::vector<std::pair<sim::Time, sim::Time>> busy,
                         std::vector<std::pair<sim::Time, sim::Time>> covered);

}  // namespace v3sim::models
