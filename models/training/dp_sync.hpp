#pragma once
// The end of a step, after a rank's last backward: DualPipe's gradient sum
// between mirrored ranks (both hold the same two parts) or, with tied
// embeddings split over the first and last stage, the sum of their copies, the data-parallel
// reduce-scatter of gradients (ZeRO-1; all-reduce without it), the optimizer
// step on the local shard, and the all-gather of updated parameters.
// Collectives are ring algorithms: one ring step (all its flows sharing the
// fabric) is simulated per group shape and multiplied by the step count, and
// the result scaled, as a ring's time is affine in its bytes.
#include <vector>

#include "calibration/profile.hpp"
#include "models/training/stage_plan.hpp"
#include "topologies/routing.hpp"
#include "models/training/step_graph.hpp"
#include "topologies/cluster_graph.hpp"

namespace v3sim::models {

// Parameters a rank holds (before sharding), from the parts it runs.
// A tied embedding counts once on a rank holding both the embedding and the head.
BlockParameters rank_parameters(const Schedule& schedule, const StagePlan& plan, int rank);
// Tied embeddings on a rank holding one end only (the first or the last
// stage): the matrix it keeps as one of two copies; 0 otherwise.
double tied_copy_parameters(const Schedule& schedule, const StagePlan& plan, int rank);

struct DpSyncTimes {
  sim::Time mirror = 0;          // DualPipe: sum with the mirrored rank; else a tied embedding's two copies
  double mirror_bytes = 0;       // the FP32 gradients that sum moves, per GPU
  sim::Time reduce_scatter = 0;  // or all-reduce without ZeRO
  sim::Time optimizer = 0;
  sim::Time all_gather = 0;
  sim::Time total() const { return mirror + reduce_scatter + optimizer + all_gather; }
};

class DpSyncModel {
 public:
  DpSyncModel(const topologies::Cluster& cluster, const StepLayout& layout, const TrainingSpec& spec,
              const GpuPreset& gpu, topologies::Router* router = nullptr);
  DpSyncTimes times(const BlockParameters& params, bool mirrored, double tied_copy = 0) const;

 private:
  struct Affine {
    double fixed_s = 0;
    double s_per_byte = 0;
    double seconds(double bytes) const { return bytes > 0 ? fixed_s + s_per_byte * bytes : 0; }
  };
  Affine fit_ring(const std::vector<int>& gpus, bool all_reduce) const;

  const topologies::Cluster& cluster_;
  const StepLayout& layout_;
  const TrainingSpec& spec_;
  const GpuPreset& gpu_;
  topologies::Router* router_;  // shared, or null: each ring fit routes on its own
  Affine dense_, routed_, mirror_;
};

}  // namespace v3sim::models
