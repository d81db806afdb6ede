#pragma once
// What each pipeline part computes and how long its pieces take on one GPU:
// the blocks of each model part, and for each block its forward, input-
// gradient and weight-gradient work cut into DeepSeek's components
// (attention, dispatch, MLP, combine). Compute segments carry their time on
// the compute SMs; all-to-all segments name the phase whose time the network
// decides. Costs are memoised per block kind (every MoE layer is alike).
#include <string>
#include <vector>

#include "calibration/cost_model.hpp"
#include "models/hardware.hpp"
#include "models/transformer/layer_ops.hpp"
#include "models/transformer/parameters.hpp"
#include "models/training/training_spec.hpp"
#include "sim/time.hpp"

namespace v3sim::models {

// The all-to-all shapes of a step: tokens to the experts (FP8 in the V3
// recipe: dispatch forward, combine backward; BF16 otherwise) and back (BF16).
enum class EpPhase { kToExpertsFp8, kToExpertsBf16, kFromExperts };
inline constexpr int kEpPhases = 3;

struct Segment {
  Component component = Component::kAttention;
  bool comm = false;
  bool second_stream = false;  // compute: runs on the second compute stream
  sim::Time compute = 0;  // compute: everything but the routed-expert GEMMs
  sim::Time expert = 0;   // compute: routed-expert GEMMs, which scale with the tokens a GPU receives
  int phase = -1;         // comm: the EpPhase of an all-to-all, -1 for none
  double phase_scale = 1; // comm: the all-to-all kernel's in-training time over its simulated standalone time
  std::string phase_class;  // comm: the all-to-all's kernel class
  sim::Time fixed = 0;    // comm: kernels beside the all-to-all (layout, cast) and tensor-parallel all-reduces
  // comm: DeepEP's notify kernel alone (its launch). The round of small
  // messages it exchanges and its wait for the last peer of the EP group are
  // the step's (models/training/step_graph.hpp: StepNetwork::notify_round,
  // the peer wait), not the plan's.
  sim::Time notify = 0;
  // Time per kernel class of the kernels in this segment (the all-to-all's
  // own time is the step's: phase time x phase_scale).
  std::vector<std::pair<std::string, sim::Time>> classes;
  // What the host spends issuing the segment's kernels (the profile's
  // per-launch host cost); the GPU cannot run them before it has. With
  // host_sync the host first waits for the compute stream's work before it.
  sim::Time host = 0;
  bool host_sync = false;
};

struct BlockPlan {
  BlockKind kind;
  std::vector<Segment> forward, input, weight;
  int unit = -1;  // the layer unit it belongs to: transformer layer 0.., then MTP modules (for the trace)
};

struct PartPlan {
  std::vector<BlockPlan> blocks;
  int layers = 0;               // transformer layers (MTP modules included)
  double saved_bytes = 0;       // activations one micro-batch leaves for backward
  BlockParameters parameters;   // of the whole part (before tp/ep sharding)
  double model_flops = 0;       // forward + backward, one micro-batch on one GPU
};

struct StagePlan {
  std::vector<PartPlan> parts;
  int compute_sms = 0;
  // Compute kernels run this much slower while a communication kernel runs
  // beside them on its own SMs (the profile's measured HBM and L2
  // interference); 1 where communication takes no SMs.
  double beside_comm_slowdown = 1;
  // A kernel of the main / second compute stream beside the other's (SMs shared).
  double main_beside_second = 1;
  double second_beside_main = 1;
  // The host issues every kernel at the profile's cost (Segment::host);
  // false: the host is never what the GPU waits for.
  bool host_issue = false;
  // Tied embeddings: the head's matrix is the embedding's. A rank holding
  // both holds it once; ranks holding one end each keep a copy (rank_parameters).
  double tied_head = 0;
};

// Layer counts per model part: the spec's, or an even split of layers plus
// MTP modules where the first and last parts (which also hold the
// embedding, and the head) take the smaller share. A balanced split starts
// from the even one and moves layers until the busiest rank's compute
// cannot drop (plan_stages).
std::vector<int> layers_per_part(const TrainingSpec& t, int parts);

// `with_ends`: the first part holds the embedding and the last the head
// (false for a chunk pair of layers alone). `rank_parts`: the parts each
// rank runs, which a balanced split (parallelism.layers_per_part
// "balanced") evens out; empty: one part per rank.
StagePlan plan_stages(const TrainingSpec& t, const GpuPreset& gpu, int parts, bool with_ends = true,
                      const std::vector<std::vector<int>>& rank_parts = {});

calibration::DeviceRates device_rates(const GpuPreset& gpu);

// What a GPU's kernels see of the spec: micro-batch, parallelism, precision,
// recomputation and sequence parallelism.
OpContext op_context(const TrainingSpec& t);

// Kernels the op launches (a per-group GEMM launches one per group).
int kernel_launches(const KernelOp& op);

// Seconds of one compute-side kernel op (all its launches) on `sms` SMs
// under the profile and its class's calibration (0 for an all-to-all).
double kernel_seconds(const KernelOp& op, const calibration::Profile& p, const calibration::DeviceRates& d, int sms);

// "attention(F)", "mlp(B)", "dispatch(W)": a component and pass as profiler
// annotations name them (B is the input-gradient pass).
std::string component_label(Component c, Pass p);

// A transformer layer's ops with the framework's small kernels
// (profile.framework_launches) added at the end of each component's run.
std::vector<KernelOp> with_framework_ops(const std::vector<KernelOp>& ops, const calibration::Profile& p);

}  // namespace v3sim::models
