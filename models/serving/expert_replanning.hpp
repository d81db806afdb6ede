#pragma once
// EPLB re-planned over a run on a drifting expert load (docs/fleet.md,
// "Expert re-planning"). The run is cut in epochs: a step is priced at the
// load of its epoch's middle under the plan in force then. A plan made at t
// (0, then every interval) sees the average of the load sampled every
// `grid_s` over (t - window, t]: the first plan, the window before the run.
// At a re-plan each GPU loads the experts (of every MoE layer) its new slots
// hold and its old ones did not, and a unit pauses while its busiest GPU
// loads them. Both pools see the same load (the same requests' tokens), each
// placed by its own deployment.
#include <array>
#include <memory>
#include <vector>

#include "models/inference/eplb.hpp"
#include "models/serving/expert_drift.hpp"
#include "models/serving/fleet_spec.hpp"
#include "models/serving/serving_spec.hpp"

namespace v3sim::models {

using ExpertShares = std::vector<std::vector<double>>;  // per MoE layer (MTP module last), per routed expert

// Per pool (0 prefill, 1 decode): the busiest GPU's expected share of a
// layer's token copies over the mean, averaged over the MoE layers.
struct PoolImbalance {
  double before = 0;  // no redundant experts, experts in contiguous blocks
  double after = 0;   // the plan in force
  double fresh = 0;   // a plan made on this epoch's own load
};

struct EplbEpoch {
  int index = -1;
  double mid_s = 0;
  int plans = 0;  // plans made by its middle, the start's included
  std::array<PoolImbalance, 2> imbalance;
};

struct EplbTotals {
  int replans = 0;                          // after the start's plan
  std::array<double, 2> experts_loaded{};   // per unit, over the run (expert-layer copies)
  std::array<double, 2> pause_per_replan_s{};  // a unit's mean pause per re-plan
};

class ExpertReplanning {
 public:
  ExpertReplanning(const EplbSpec& spec, const PoolSpec& prefill, const PoolSpec& decode);
  // Moves to time `t_s` (never backwards); true when a new epoch began.
  bool advance(double t_s);
  const EplbEpoch& epoch() const { return epoch_; }
  // The load of the current epoch's middle and what its plan was made on.
  std::shared_ptr<const ExpertShares> shares() const { return shares_; }
  std::shared_ptr<const ExpertShares> plan_shares() const { return plan_shares_; }
  // The latest re-plan's pause for a unit of `pool` (0 before any re-plan).
  double pause_s(int pool) const { return pause_s_[static_cast<std::size_t>(pool)]; }
  const std::vector<EplbEpoch>& epochs() const { return epochs_; }
  const EplbTotals& totals() const { return totals_; }
  double grid_s() const { return grid_s_; }

 private:
  void step_to(double t_s);  // the drift, sampling the windows and re-planning on the way
  void replan();
  PoolImbalance imbalance(int pool, const ExpertShares& now) const;
  std::vector<double> plan_counts(int pool, const std::vector<double>& shares) const;

  EplbSpec spec_;
  std::array<const PoolSpec*, 2> pools_;
  ExpertDrift drift_;
  double grid_s_ = 60;
  double t_ = 0, next_sample_ = 0, next_replan_ = 0;
  ExpertShares window_sum_;
  int window_samples_ = 0;
  std::shared_ptr<const ExpertShares> shares_, plan_shares_;
  std::array<std::vector<ExpertPlacement>, 2> plan_;  // per pool, per MoE layer
  std::array<double, 2> pause_s_{};
  EplbEpoch epoch_;
  std::vector<EplbEpoch> epochs_;
  EplbTotals totals_;
};

}  // namespace v3sim::models
