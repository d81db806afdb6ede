// The fleet's side of the serving simulation (docs/fleet.md): units start,
// serve, drain and are released under the autoscaling policy; the experts'
// plans follow their drifting load; the run's fleet totals.
#include <algorithm>
#include <cmath>
#include <tuple>

#include "models/serving/fleet_totals.hpp"
#include "models/serving/serving_simulation.hpp"

namespace v3sim::models::detail {

void Simulation::changed_units() {
  nodes_peak_ = std::max(nodes_peak_, held_nodes());
  nodes_min_ = std::min(nodes_min_, held_nodes());
}

void Simulation::release(PoolLedger* pool, int u) {
  pool->set(u, UnitState::kReleased, sim::to_seconds(now_));
  changed_units();
}

void Simulation::serve(PoolLedger* pool, int u) {
  pool->set(u, UnitState::kServing, sim::to_seconds(now_));
  if (pool == decode_ledger_.get()) {
    const DecodeUnit& unit = decode_[static_cast<std::size_t>(u)];
    for (std::size_t g = 0; g < unit.gpus.size(); ++g)
      if (unit.gpus[g].running < s_.decode.max_requests_per_gpu) open_.insert({unit.gpus[g].kv_reserved, u, static_cast<int>(g)});
  }
  changed_units();
}

// A unit stops taking work; it is released once its work is done.
void Simulation::drain(PoolLedger* pool, int u) {
  pool->set(u, UnitState::kDraining, sim::to_seconds(now_));
  if (pool == prefill_ledger_.get()) {
    if (!prefill_[static_cast<std::size_t>(u)].busy) release(pool, u);
    return;
  }
  const DecodeUnit& unit = decode_[static_cast<std::size_t>(u)];
  for (std::size_t g = 0; g < unit.gpus.size(); ++g) open_.erase({unit.gpus[g].kv_reserved, u, static_cast<int>(g)});
  if (!unit.busy && unit.finishing.empty()) release(pool, u);
}

void Simulation::unit_ready(std::uint32_t target) {
  PoolLedger* pool = target & kDecodeBit ? decode_ledger_.get() : prefill_ledger_.get();
  const int u = static_cast<int>(target & ~kDecodeBit);
  if (pool->state(u) != UnitState::kStarting) return;  // cancelled meanwhile
  // A unit starting loads the plan in force with the rest of its weights.
  if (replan_) (target & kDecodeBit ? decode_[static_cast<std::size_t>(u)].plans : prefill_[static_cast<std::size_t>(u)].plans) = replan_->epoch().plans;
  serve(pool, u);
}

// The expert load of now (re-planning): a new epoch's load goes to the
// prices, some epochs' factor measured on the way out.
void Simulation::sync_load() {
  if (!replan_) return;
  const int outgoing = replan_->epoch().index;
  if (!replan_->advance(sim::to_seconds(now_))) return;
  const bool check = outgoing >= 0 && outgoing % check_stride_ == 0 && load_checks_ < s_.fleet.eplb->check_points;
  load_checks_ += check ? 1 : 0;
  prices_->set_expert_load(replan_->shares(), replan_->plan_shares(), check);
}

// A unit's first step after a re-plan waits while its GPUs load their new
// experts (the latest re-plan's, once).
double Simulation::replan_pause(int pool, int& plans) {
  if (!replan_ || plans >= replan_->epoch().plans) return 0;
  plans = replan_->epoch().plans;
  const double pause = replan_->pause_s(pool);
  paused_s_[static_cast<std::size_t>(pool)] += pause;
  return pause;
}

// Moves a pool toward `wanted` units serving or starting: draining units
// come back first, then released ones start; going down, starting units
// are cancelled first, then the last serving units drain.
void Simulation::resize(PoolLedger* pool, int wanted, bool decode) {
  int have = pool->count(UnitState::kServing) + pool->count(UnitState::kStarting);
  const double now = sim::to_seconds(now_);
  if (wanted > have) ++scale_ups_;
  if (wanted < have) ++scale_downs_;
  for (int u = 0; u < pool->units() && have < wanted; ++u)
    if (pool->state(u) == UnitState::kDraining) serve(pool, u), ++have;
  for (int u = 0; u < pool->units() && have < wanted; ++u) {
    if (pool->state(u) != UnitState::kReleased) continue;
    ++have;
    if (s_.fleet.autoscale.startup_s <= 0) {
      serve(pool, u);
      continue;
    }
    pool->set(u, UnitState::kStarting, now);
    changed_units();
    q_.push(now_ + sim::from_seconds(s_.fleet.autoscale.startup_s), kUnitReady,
            static_cast<std::uint32_t>(u) | (decode ? kDecodeBit : 0));
  }
  for (int u = pool->units() - 1; u >= 0 && have > wanted; --u)
    if (pool->state(u) == UnitState::kStarting) release(pool, u), --have;
  for (int u = pool->units() - 1; u >= 0 && have > wanted; --u)
    if (pool->state(u) == UnitState::kServing) drain(pool, u), --have;
}

// Every interval the policy looks at each pool's last interval.
void Simulation::rescale() {
  const AutoscaleSpec& a = s_.fleet.autoscale;
  const double interval = a.interval_s;
  prefill_ledger_->account(sim::to_seconds(now_));
  decode_ledger_->account(sim::to_seconds(now_));
  PoolSignal p;
  p.serving = prefill_ledger_->count(UnitState::kServing);
  p.starting = prefill_ledger_->count(UnitState::kStarting);
  p.floor = a.min_prefill, p.cap = s_.prefill.units;
  const double serving_s = prefill_ledger_->serving_unit_s() - prefill_serving_mark_;
  p.utilisation = serving_s > 0 ? prefill_busy_s_ / serving_s : 0;
  p.backlog = queued_tokens_ > static_cast<double>(p.serving) * s_.prefill.unit.deployment.ep * s_.prefill.tokens_per_gpu;
  if (s_.slo_ttft_s) p.latency_over_slo = distribution(std::move(interval_ttft_)).p90 / *s_.slo_ttft_s;
  interval_ttft_.clear();
  prefill_busy_s_ = 0;
  prefill_serving_mark_ = prefill_ledger_->serving_unit_s();
  PoolSignal d;
  d.serving = decode_ledger_->count(UnitState::kServing);
  d.starting = decode_ledger_->count(UnitState::kStarting);
  d.floor = a.min_decode, d.cap = s_.decode.units;
  double running = 0, reserved = 0;
  for (int u = 0; u < s_.decode.units; ++u) {
    if (decode_ledger_->state(u) != UnitState::kServing) continue;
    for (const DecodeGpu& g : decode_[static_cast<std::size_t>(u)].gpus) running += g.running, reserved += g.kv_reserved;
  }
  const double gpus = static_cast<double>(d.serving) * s_.decode.unit.deployment.ep;
  d.utilisation = gpus > 0 ? std::max(running / (gpus * s_.decode.max_requests_per_gpu), reserved / (gpus * s_.decode.kv_capacity_tokens)) : 1;
  d.backlog = !waiting_decode_.empty();
  if (s_.slo_tpot_s) d.latency_over_slo = distribution(std::move(interval_tpot_)).p90 / *s_.slo_tpot_s;
  interval_tpot_.clear();
  int wanted_p = autoscaler_->wanted(p), wanted_d = autoscaler_->wanted(d);
  if (a.fixed_ratio) std::tie(wanted_p, wanted_d) = at_fixed_ratio(wanted_p, p, wanted_d, d);
  resize(prefill_ledger_.get(), wanted_p, false);
  resize(decode_ledger_.get(), wanted_d, true);
  if (!source_done_ || in_system_ > 0) q_.push(now_ + sim::from_seconds(interval), kRescale, 0);
}

FleetResult Simulation::fleet_result(const ServingResult& r) {
  FleetResult f = fleet_totals(s_, r, *prefill_ledger_, *decode_ledger_, sim::to_seconds(now_));
  f.nodes_peak = nodes_peak_;
  f.nodes_min = nodes_min_;
  f.user_tokens_per_s = stats_->user_speed();
  f.scale_ups = scale_ups_;
  f.scale_downs = scale_downs_;
  f.revenue_paid_usd = revenue_paid_;
  if (replan_) f.eplb = eplb_result();
  return f;
}

EplbResult Simulation::eplb_result() const {
  const EplbSpec& spec = *s_.fleet.eplb;
  EplbResult e;
  e.interval_s = spec.interval_s, e.window_s = spec.window_s, e.epoch_s = spec.epoch_s, e.grid_s = replan_->grid_s();
  const EplbTotals& t = replan_->totals();
  e.replans = t.replans;
  e.epochs = replan_->epochs();
  for (std::size_t p = 0; p < 2; ++p) {
    e.experts_loaded_per_unit[p] = t.experts_loaded[p];
    e.pause_per_replan_s[p] = t.replans > 0 ? t.pause_per_replan_s[p] / t.replans : 0;
    e.paused_s[p] = paused_s_[p];
    e.load_factor_error[p] = prices_->load_factor_error[p];
    e.load_simulations[p] = prices_->load_simulations[p];
    for (const EplbEpoch& x : e.epochs) {
      e.imbalance[p].before += x.imbalance[p].before / static_cast<double>(e.epochs.size());
      e.imbalance[p].after += x.imbalance[p].after / static_cast<double>(e.epochs.size());
      e.imbalance[p].fresh += x.imbalance[p].fresh / static_cast<double>(e.epochs.size());
    }
  }
  return e;
}

}  // namespace v3sim::models::detail
