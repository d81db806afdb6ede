#include "models/serving/expert_replanning.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "models/inference/expert_load.hpp"
#include "models/inference/inference_memory.hpp"
#include "models/inference/step_load.hpp"

namespace v3sim::models {
namespace {

int moe_layers(const PoolSpec& p) { return p.unit.model.moe_layers() + p.unit.mtp_depth; }

// The expert-layer copies each GPU holds under `next` that it did not under `prev`.
std::vector<double> loaded_per_gpu(const std::vector<ExpertPlacement>& prev, const std::vector<ExpertPlacement>& next, int gpus) {
  std::vector<double> loaded(static_cast<std::size_t>(gpus), 0);
  for (std::size_t l = 0; l < next.size(); ++l) {
    const std::size_t per_gpu = next[l].phy2log.size() / static_cast<std::size_t>(gpus);
    for (std::size_t g = 0; g < static_cast<std::size_t>(gpus); ++g) {
      const auto slots = [&](const ExpertPlacement& p) {
        return std::set<int>(p.phy2log.begin() + static_cast<std::ptrdiff_t>(g * per_gpu),
                             p.phy2log.begin() + static_cast<std::ptrdiff_t>((g + 1) * per_gpu));
      };
      const std::set<int> had = slots(prev[l]);
      for (int e : slots(next[l])) loaded[g] += had.count(e) ? 0 : 1;
    }
  }
  return loaded;
}

}  // namespace

ExpertReplanning::ExpertReplanning(const EplbSpec& spec, const PoolSpec& prefill, const PoolSpec& decode)
    : spec_(spec),
      pools_{&prefill, &decode},
      drift_(expected_shares(prefill.unit.load, prefill.unit.model.routed_experts, std::max(moe_layers(prefill), moe_layers(decode))),
             spec.drift) {
  // Every window is sampled at least twice; the grid is no coarser than a minute.
  grid_s_ = std::min({60.0, spec.epoch_s / 2, spec.window_s / 2});
  if (spec.interval_s > 0) grid_s_ = std::min(grid_s_, spec.interval_s / 2);
  t_ = -spec.window_s;
  next_sample_ = t_ + grid_s_;
  next_replan_ = 0;
}

std::vector<double> ExpertReplanning::plan_counts(int pool, const std::vector<double>& shares) const {
  const InferenceSpec& u = pools_[static_cast<std::size_t>(pool)]->unit;
  std::vector<double> counts(shares.size());
  for (std::size_t e = 0; e < shares.size(); ++e) counts[e] = shares[e] * u.model.topk;
  if (u.deployment.shared == SharedExpert::kRouted) counts.push_back(1);
  return counts;
}

void ExpertReplanning::replan() {
  ExpertShares plan(window_sum_.size());
  for (std::size_t l = 0; l < plan.size(); ++l) {
    plan[l] = window_sum_[l];
    for (double& x : plan[l]) x /= window_samples_;
  }
  const bool first = !plan_shares_;
  for (int p = 0; p < 2; ++p) {
    const std::size_t i = static_cast<std::size_t>(p);
    const PoolSpec& pool = *pools_[i];
    std::vector<ExpertPlacement> next;
    for (int l = 0; l < moe_layers(pool); ++l)
      next.push_back(place_layer(pool.cluster, pool.unit, plan_counts(p, plan[static_cast<std::size_t>(l)])));
    if (!first) {
      const int gpus = pool.unit.deployment.ep;
      const std::vector<double> loaded = loaded_per_gpu(plan_[i], next, gpus);
      const GpuPreset& g = pool.cluster.gpu;
      const double rate = (spec_.reload_gb_per_s > 0 ? spec_.reload_gb_per_s : g.nic_achievable_gb_per_s * g.nics) * 1e9;
      pause_s_[i] = *std::max_element(loaded.begin(), loaded.end()) * expert_weight_bytes(pool.unit.model) / rate;
      for (double x : loaded) totals_.experts_loaded[i] += x;
      totals_.pause_per_replan_s[i] += pause_s_[i];
    }
    plan_[i] = std::move(next);
  }
  if (!first) ++totals_.replans;
  plan_shares_ = std::make_shared<const ExpertShares>(std::move(plan));
  window_sum_.clear();
  window_samples_ = 0;
  ++epoch_.plans;
  next_replan_ = spec_.interval_s > 0 ? next_replan_ + spec_.interval_s : INFINITY;
}

void ExpertReplanning::step_to(double t_s) {
  // Samples and re-plans up to `t_s`, in time order (a sample at a re-plan's time is in its window).
  while (std::min(next_sample_, next_replan_) <= t_s) {
    const bool sample = next_sample_ <= next_replan_;
    const double t = sample ? next_sample_ : next_replan_;
    drift_.advance((t - t_) / 3600);
    t_ = t;
    if (!sample) {
      replan();
      continue;
    }
    next_sample_ += grid_s_;
    if (t <= next_replan_ - spec_.window_s) continue;  // before the next plan's window
    const ExpertShares now = drift_.shares();
    if (window_sum_.empty()) window_sum_.assign(now.size(), std::vector<double>(now.front().size(), 0));
    for (std::size_t l = 0; l < now.size(); ++l)
      for (std::size_t e = 0; e < now[l].size(); ++e) window_sum_[l][e] += now[l][e];
    ++window_samples_;
  }
  drift_.advance((t_s - t_) / 3600);
  t_ = t_s;
}

PoolImbalance ExpertReplanning::imbalance(int pool, const ExpertShares& now) const {
  const std::size_t i = static_cast<std::size_t>(pool);
  const PoolSpec& p = *pools_[i];
  const int gpus = p.unit.deployment.ep, layers = moe_layers(p);
  PoolImbalance out;
  for (int l = 0; l < layers; ++l) {
    const std::size_t k = static_cast<std::size_t>(l);
    const std::vector<double> counts = plan_counts(pool, now[k]);
    out.before += max_over_mean(contiguous_shares(counts, gpus)) / layers;
    out.after += max_over_mean(gpu_shares(counts, plan_[i][k], gpus)) / layers;
    out.fresh += max_over_mean(gpu_shares(counts, place_layer(p.cluster, p.unit, counts), gpus)) / layers;
  }
  return out;
}

bool ExpertReplanning::advance(double t_s) {
  const int index = static_cast<int>(std::floor(t_s / spec_.epoch_s));
  if (index <= epoch_.index) return false;
  epoch_.index = index;
  epoch_.mid_s = (index + 0.5) * spec_.epoch_s;
  step_to(epoch_.mid_s);
  shares_ = std::make_shared<const ExpertShares>(drift_.shares());
  for (int p = 0; p < 2; ++p) epoch_.imbalance[static_cast<std::size_t>(p)] = imbalance(p, *shares_);
  epochs_.push_back(epoch_);
  return true;
}

}  // namespace v3sim::models
