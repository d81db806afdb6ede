#include "models/serving/serving_sim.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <fmt/format.h>
#include <numeric>
#include <queue>
#include <random>
#include <set>
#include <tuple>

#include "models/serving/autoscaler.hpp"
#include "models/serving/fleet_totals.hpp"
#include "models/serving/mtp_steps.hpp"
#include "models/serving/pool_ledger.hpp"
#include "models/serving/prefix_cache.hpp"
#include "models/serving/serving_reductions.hpp"
#include "models/serving/serving_stats.hpp"
#include "sim/event_queue.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

enum Kind : std::uint32_t { kArrive, kReady, kPrefillDone, kKvArrive, kDecodeDone, kRescale, kUnitReady };

// kUnitReady's target: the unit, with this bit for the decode pool.
constexpr std::uint32_t kDecodeBit = 1u << 30;

// A request in the system (a slot, reused once it leaves).
struct Live {
  Request q;
  int computed = 0;      // prompt tokens whose KV exists (cached or computed)
  int cached = 0;        // of them, loaded from the prefix cache
  sim::Time first_token = -1;
  int unit = -1, gpu = -1;
  int prefill_rank = -1;  // the DP rank its prompt's chunks run on (its KV is there)
  // Decode: the unit's steps it runs in (first .. last), and the tokens it
  // makes per step on average over them.
  long long first_step = 0, last_step = 0;
  double rate = 0;
};

// One decode GPU: its running requests and their KV, as sums. A running
// request's KV at the start of step k is its prompt, its first token and
// rate x (k - first_step) generated tokens.
struct DecodeGpu {
  int running = 0;
  double base = 0;        // sum of input + 1
  double rate = 0;        // sum of rates
  double rate_first = 0;  // sum of rate x first_step
  double kv_reserved = 0; // sum of input + output
  double kv(long long step) const { return base + rate * static_cast<double>(step) - rate_first; }
};

struct PrefillUnit {
  bool busy = false;
  int plans = 0;  // the expert plans it has loaded (re-planning)
  double nic_busy = 0;  // the share of its GPUs' NIC time the current step's exchanges take
  std::vector<std::pair<int, int>> batch;  // (request, tokens computed in this step)
};

using Finishing = std::priority_queue<std::pair<long long, int>, std::vector<std::pair<long long, int>>, std::greater<>>;

struct DecodeUnit {
  bool busy = false;
  int plans = 0;
  double nic_busy = 0;
  long long next_step = 0;  // the index of its next step
  std::vector<DecodeGpu> gpus;
  Finishing finishing;      // (last step, request)
};

class Simulation {
 public:
  Simulation(const ServingSpec& s, std::unique_ptr<RequestStream> source)
      : s_(s), source_(std::move(source)),
        cache_(s.cache, s.source.block_tokens * s.kv_bytes_per_token), rng_(s.seed) {
    prices_ = std::make_unique<StepPrices>(s, source_->max_prompt(), source_->max_context());
    prefill_.resize(static_cast<std::size_t>(s.prefill.units));
    decode_.resize(static_cast<std::size_t>(s.decode.units));
    for (DecodeUnit& u : decode_) u.gpus.resize(static_cast<std::size_t>(s.decode.unit.deployment.ep));
    for (int u = 0; u < s.decode.units; ++u)
      for (int g = 0; g < s.decode.unit.deployment.ep; ++g) open_.insert({0.0, u, g});
    stats_ = std::make_unique<ServingStats>(s, source_->span_s());
    prefill_ledger_ = std::make_unique<PoolLedger>(s.prefill.units, s.prefill.cluster.spec.nodes, 0.0);
    decode_ledger_ = std::make_unique<PoolLedger>(s.decode.units, s.decode.cluster.spec.nodes, 0.0);
    nodes_peak_ = nodes_min_ = held_nodes();
    if (s.fleet.autoscale.policy != ScalingPolicy::kFixed) {
      autoscaler_ = make_autoscaler(s.fleet.autoscale);
      slo_policy_ = s.fleet.autoscale.policy == ScalingPolicy::kSlo;
      q_.push(sim::from_seconds(s.fleet.autoscale.interval_s), kRescale, 0);
    }
    if (s.fleet.eplb) {
      replan_ = std::make_unique<ExpertReplanning>(*s.fleet.eplb, s.prefill, s.decode);
      const double epochs = std::ceil(source_->span_s() / s.fleet.eplb->epoch_s);
      check_stride_ = std::max(1, static_cast<int>(std::ceil(epochs / std::max(1, s.fleet.eplb->check_points))));
    }
  }

  ServingResult run() {
    pull();
    while (!q_.empty()) {
      const sim::Event e = q_.pop();
      // The policy's last look after the last request left is not part of the run.
      if (e.kind == kRescale && source_done_ && in_system_ == 0) continue;
      stats_->advance(e.time, in_system_);
      now_ = e.time;
      const int r = static_cast<int>(e.target);
      switch (e.kind) {
        case kArrive: arrive(r); break;
        case kReady:
          waiting_prefill_.push_back(r);
          queued_tokens_ += live(r).q.input_len - live(r).computed;
          break;
        case kPrefillDone: prefill_done(r); break;
        case kKvArrive: kv_arrive(r); break;
        case kDecodeDone: decode_done(r); break;
        case kRescale: rescale(); break;
        case kUnitReady: unit_ready(e.target); break;
      }
      schedule_prefill();
      admit();
      if (stats_->sample_due(now_)) stats_->sample(now_, sample());
    }
    if (arrivals_ == 0) throw sim::InputError("/workload/source", "the source holds no requests");
    ServingResult out = stats_->finish();
    prices_->check();
    out.fleet = fleet_result(out);
    out.prefill_price_error = prices_->prefill_error;
    out.decode_price_error = prices_->decode_error;
    out.prefill_envelope_error = prices_->prefill_envelope_error;
    out.decode_envelope_error = prices_->decode_envelope_error;
    out.prefill_ranks_error = prices_->prefill_ranks_error;
    out.step_simulations = prices_->simulations();
    out.prefill_steps = prefill_steps_;
    out.decode_steps = decode_steps_;
    out.steps = std::move(steps_);
    return out;
  }

 private:
  Live& live(int r) { return live_[static_cast<std::size_t>(r)]; }

  // The source's next request into a free slot, its arrival on the queue.
  void pull() {
    int r;
    if (!free_.empty()) {
      r = free_.back();
      free_.pop_back();
    } else {
      r = static_cast<int>(live_.size());
      live_.emplace_back();
    }
    Live& x = live(r);
    x = Live{};
    if (!source_->next(x.q)) {
      free_.push_back(r);
      source_done_ = true;
      return;
    }
    q_.push(x.q.arrival, kArrive, static_cast<std::uint32_t>(r));
  }

  void leave(int r) {
    live(r).q.blocks = {};
    free_.push_back(r);
  }

  void arrive(int r) {
    ++arrivals_;
    pull();
    Live& st = live(r);
    const Request& q = st.q;
    stats_->arrived(q);
    // A request whose prompt and output cannot fit one decode GPU's KV is refused.
    if (q.input_len + q.output_len > s_.decode.kv_capacity_tokens) {
      stats_->rejected(q);
      leave(r);
      return;
    }
    ++in_system_;
    // The cached prefix (at least the last prompt token is computed) is read
    // before the prompt joins the prefill queue.
    const int given = std::min(q.cached_tokens, q.input_len - 1);
    const PrefixCache::Hit hit = q.cached_tokens >= 0
                                     ? cache_.read_given(given * s_.kv_bytes_per_token, sim::to_seconds(now_))
                                     : cache_.lookup(q.blocks, sim::to_seconds(now_));
    st.cached = q.cached_tokens >= 0 ? given : std::min(hit.blocks * s_.source.block_tokens, q.input_len - 1);
    st.computed = st.cached;
    stats_->cache_read(st.cached, hit.bytes);
    ++loading_;
    q_.push(now_ + sim::from_seconds(hit.seconds), kReady, static_cast<std::uint32_t>(r));
  }

  // Idle prefill units take the queue's head, FCFS. A prompt runs on one DP
  // rank (its KV is there), chosen when it starts: the rank with the fewest
  // tokens this step (DeepSeek balances dispatch send and core attention
  // across ranks), fewer attention FLOPs breaking ties, among those with
  // budget left. A prompt longer than its rank's budget left is chunked and
  // goes on next step on the same rank. The unit's step: the step model at
  // the mean rank (the experts see every rank's tokens) plus the busiest
  // rank's own compute and the longest exchanges beyond the mean rank's.
  void schedule_prefill() {
    const int ep = s_.prefill.unit.deployment.ep;
    const double budget = s_.prefill.tokens_per_gpu;
    while (!waiting_prefill_.empty()) {
      auto unit = prefill_.begin();
      while (unit != prefill_.end() &&
             (unit->busy || prefill_ledger_->state(static_cast<int>(unit - prefill_.begin())) != UnitState::kServing))
        ++unit;
      if (unit == prefill_.end()) return;
      std::vector<double> tokens(static_cast<std::size_t>(ep), 0), attention(static_cast<std::size_t>(ep), 0);
      std::vector<int> blocked;  // requests whose rank is full this step, in queue order
      unit->batch.clear();
      while (!waiting_prefill_.empty()) {
        const int r = waiting_prefill_.front();
        Live& st = live(r);
        int rank = st.prefill_rank;
        if (rank < 0) {
          for (int g = 0; g < ep; ++g) {
            const std::size_t i = static_cast<std::size_t>(g);
            if (tokens[i] >= budget) continue;
            if (rank < 0 || tokens[i] < tokens[static_cast<std::size_t>(rank)] ||
                (tokens[i] == tokens[static_cast<std::size_t>(rank)] && attention[i] < attention[static_cast<std::size_t>(rank)]))
              rank = g;
          }
          if (rank < 0) break;  // every rank is full
        }
        waiting_prefill_.pop_front();
        const std::size_t k = static_cast<std::size_t>(rank);
        if (tokens[k] >= budget) {
          blocked.push_back(r);
          continue;
        }
        const int left = st.q.input_len - st.computed;
        const int chunk = static_cast<int>(std::min<double>(left, budget - tokens[k]));
        // Causal attention of the chunk over everything before it.
        attention[k] += chunk * (st.computed + chunk / 2.0);
        tokens[k] += chunk;
        st.prefill_rank = rank;
        queued_tokens_ -= chunk;
        unit->batch.emplace_back(r, chunk);
        --loading_;
      }
      for (auto it = blocked.rbegin(); it != blocked.rend(); ++it) waiting_prefill_.push_front(*it);
      if (unit->batch.empty()) return;
      unit->busy = true;
      sync_load();
      const double step = prices_->prefill_s(tokens, attention) + replan_pause(0, unit->plans);
      const double busiest = *std::max_element(tokens.begin(), tokens.end());
      const double mean = std::accumulate(tokens.begin(), tokens.end(), 0.0) / ep;
      unit->nic_busy = nic_share(prices_->prefill_nic_bytes_per_token * mean, step);
      const int u = static_cast<int>(unit - prefill_.begin());
      record_step(true, u, step, busiest);
      prefill_busy_s_ += step;
      ++prefill_steps_;
      q_.push(now_ + sim::from_seconds(step), kPrefillDone, static_cast<std::uint32_t>(u));
    }
  }

  void prefill_done(int u) {
    PrefillUnit& unit = prefill_[static_cast<std::size_t>(u)];
    unit.busy = false;
    // Chunks that leave their prompt unfinished go back to the queue's head, in order.
    for (auto it = unit.batch.rbegin(); it != unit.batch.rend(); ++it) {
      const int r = it->first;
      Live& st = live(r);
      const Request& q = st.q;
      st.computed += it->second;
      if (st.computed < q.input_len) {
        waiting_prefill_.push_front(r);
        ++loading_;
        continue;
      }
      cache_.insert(q.blocks);
      // The prompt's KV moves to the decode side over the GPUs' NICs.
      // It shares both ends' NICs with the expert-parallel traffic, max-min
      // fairly: where the exchanges are on the wire (their busy share u of
      // the step) each gets half, so the transfer runs at (1 - u/2) of its
      // rate, u of the busier end: its prefill unit's step, the decode
      // pool's latest steps on average (its decode GPU is chosen on arrival).
      double decode_busy = 0;
      for (const DecodeUnit& d : decode_) decode_busy += d.nic_busy / static_cast<double>(decode_.size());
      const double u_busy = std::max(unit.nic_busy, decode_busy);
      const double transfer = q.input_len * s_.kv_bytes_per_token / (s_.kv_transfer_bytes_per_s * (1 - u_busy / 2));
      q_.push(now_ + sim::from_seconds(transfer), kKvArrive, static_cast<std::uint32_t>(r));
    }
    unit.batch.clear();
    if (prefill_ledger_->state(u) == UnitState::kDraining) release(prefill_ledger_.get(), u);
  }

  void kv_arrive(int r) {
    Live& st = live(r);
    st.first_token = now_;
    stats_->first_token(st.q, now_);
    if (slo_policy_) interval_ttft_.push_back(sim::to_seconds(now_ - st.q.arrival));
    if (st.q.output_len == 1) return complete(r);
    waiting_decode_.push_back(r);
  }

  // Waiting requests, FCFS, to the decode GPU with the least KV reserved
  // among those with room (DeepSeek balances KV usage and request counts;
  // ties: the first unit and GPU). `open_` orders the GPUs below their
  // request limit by KV reserved: if its head cannot take the request's KV,
  // none can.
  void admit() {
    while (!waiting_decode_.empty() && !open_.empty()) {
      const int r = waiting_decode_.front();
      Live& st = live(r);
      const Request& q = st.q;
      const double need = q.input_len + q.output_len;
      const auto [reserved, u, g] = *open_.begin();
      if (reserved + need > s_.decode.kv_capacity_tokens) return;
      waiting_decode_.pop_front();
      DecodeUnit& unit = decode_[static_cast<std::size_t>(u)];
      DecodeGpu& gpu = unit.gpus[static_cast<std::size_t>(g)];
      open_.erase(open_.begin());
      // It joins the unit's next step and runs until its tokens are made.
      const long long steps = decode_steps(q.output_len - 1, s_.decode.unit.mtp_depth, s_.decode.unit.acceptance, rng_);
      st.unit = u, st.gpu = g;
      st.first_step = unit.next_step;
      st.last_step = unit.next_step + steps - 1;
      st.rate = static_cast<double>(q.output_len - 1) / static_cast<double>(steps);
      ++gpu.running;
      gpu.base += q.input_len + 1;
      gpu.rate += st.rate;
      gpu.rate_first += st.rate * static_cast<double>(st.first_step);
      gpu.kv_reserved += need;
      if (gpu.running < s_.decode.max_requests_per_gpu) open_.insert({gpu.kv_reserved, u, g});
      unit.finishing.push({st.last_step, r});
      if (!unit.busy) start_decode(u);
    }
  }

  void start_decode(int u) {
    DecodeUnit& unit = decode_[static_cast<std::size_t>(u)];
    sync_load();
    double step = 0, busiest = 0;
    for (const DecodeGpu& g : unit.gpus) {
      if (g.running == 0) continue;
      const double n = g.running;
      // The unit steps in lockstep: its slowest GPU's price.
      step = std::max(step, prices_->decode_s(n, g.kv(unit.next_step) / n));
      busiest = std::max(busiest, n);
    }
    if (busiest == 0) return;
    step += replan_pause(1, unit.plans);
    unit.busy = true;
    ++unit.next_step;
    unit.nic_busy = nic_share(prices_->decode_nic_bytes_per_request * busiest, step);
    record_step(false, u, step, busiest);
    ++decode_steps_;
    q_.push(now_ + sim::from_seconds(step), kDecodeDone, static_cast<std::uint32_t>(u));
  }

  // The requests whose last step this was leave their GPUs.
  void decode_done(int u) {
    DecodeUnit& unit = decode_[static_cast<std::size_t>(u)];
    unit.busy = false;
    const long long step = unit.next_step - 1;
    while (!unit.finishing.empty() && unit.finishing.top().first <= step) {
      const int r = unit.finishing.top().second;
      unit.finishing.pop();
      const Live& st = live(r);
      DecodeGpu& gpu = unit.gpus[static_cast<std::size_t>(st.gpu)];
      open_.erase({gpu.kv_reserved, u, st.gpu});
      --gpu.running;
      gpu.base -= st.q.input_len + 1;
      gpu.rate -= st.rate;
      gpu.rate_first -= st.rate * static_cast<double>(st.first_step);
      gpu.kv_reserved -= st.q.input_len + st.q.output_len;
      if (gpu.running == 0) gpu.base = gpu.rate = gpu.rate_first = gpu.kv_reserved = 0;  // no drift from the sums
      if (decode_ledger_->state(u) == UnitState::kServing) open_.insert({gpu.kv_reserved, u, st.gpu});
      complete(r);
    }
    if (decode_ledger_->state(u) == UnitState::kDraining && unit.finishing.empty()) return release(decode_ledger_.get(), u);
    start_decode(u);
  }

  void complete(int r) {
    --in_system_;
    const Live& st = live(r);
    stats_->completed(st.q, st.first_token, now_);
    if (const auto& p = s_.fleet.prices)
      revenue_paid_ += p->paid_share(sim::to_seconds(now_)) * 1e-6 *
                       (st.cached * p->input_hit_per_m_usd + (st.q.input_len - st.cached) * p->input_miss_per_m_usd +
                        st.q.output_len * p->output_per_m_usd);
    if (slo_policy_ && st.q.output_len > 1)
      interval_tpot_.push_back(sim::to_seconds(now_ - st.first_token) / (st.q.output_len - 1));
    leave(r);
  }

  // The fleet (docs/fleet.md). Held nodes: both pools' units not released.
  int held_nodes() const { return prefill_ledger_->held_nodes() + decode_ledger_->held_nodes(); }

  void changed_units() {
    nodes_peak_ = std::max(nodes_peak_, held_nodes());
    nodes_min_ = std::min(nodes_min_, held_nodes());
  }

  void release(PoolLedger* pool, int u) {
    pool->set(u, UnitState::kReleased, sim::to_seconds(now_));
    changed_units();
  }

  void serve(PoolLedger* pool, int u) {
    pool->set(u, UnitState::kServing, sim::to_seconds(now_));
    if (pool == decode_ledger_.get()) {
      const DecodeUnit& unit = decode_[static_cast<std::size_t>(u)];
      for (std::size_t g = 0; g < unit.gpus.size(); ++g)
        if (unit.gpus[g].running < s_.decode.max_requests_per_gpu) open_.insert({unit.gpus[g].kv_reserved, u, static_cast<int>(g)});
    }
    changed_units();
  }

  // A unit stops taking work; it is released once its work is done.
  void drain(PoolLedger* pool, int u) {
    pool->set(u, UnitState::kDraining, sim::to_seconds(now_));
    if (pool == prefill_ledger_.get()) {
      if (!prefill_[static_cast<std::size_t>(u)].busy) release(pool, u);
      return;
    }
    const DecodeUnit& unit = decode_[static_cast<std::size_t>(u)];
    for (std::size_t g = 0; g < unit.gpus.size(); ++g) open_.erase({unit.gpus[g].kv_reserved, u, static_cast<int>(g)});
    if (!unit.busy && unit.finishing.empty()) release(pool, u);
  }

  void unit_ready(std::uint32_t target) {
    PoolLedger* pool = target & kDecodeBit ? decode_ledger_.get() : prefill_ledger_.get();
    const int u = static_cast<int>(target & ~kDecodeBit);
    if (pool->state(u) != UnitState::kStarting) return;  // cancelled meanwhile
    // A unit starting loads the plan in force with the rest of its weights.
    if (replan_) (target & kDecodeBit ? decode_[static_cast<std::size_t>(u)].plans : prefill_[static_cast<std::size_t>(u)].plans) = replan_->epoch().plans;
    serve(pool, u);
  }

  // The expert load of now (re-planning): a new epoch's load goes to the
  // prices, some epochs' factor measured on the way out.
  void sync_load() {
    if (!replan_) return;
    const int outgoing = replan_->epoch().index;
    if (!replan_->advance(sim::to_seconds(now_))) return;
    const bool check = outgoing >= 0 && outgoing % check_stride_ == 0 && load_checks_ < s_.fleet.eplb->check_points;
    load_checks_ += check ? 1 : 0;
    prices_->set_expert_load(replan_->shares(), replan_->plan_shares(), check);
  }

  // A unit's first step after a re-plan waits while its GPUs load their new
  // experts (the latest re-plan's, once).
  double replan_pause(int pool, int& plans) {
    if (!replan_ || plans >= replan_->epoch().plans) return 0;
    plans = replan_->epoch().plans;
    const double pause = replan_->pause_s(pool);
    paused_s_[static_cast<std::size_t>(pool)] += pause;
    return pause;
  }

  // Moves a pool toward `wanted` units serving or starting: draining units
  // come back first, then released ones start; going down, starting units
  // are cancelled first, then the last serving units drain.
  void resize(PoolLedger* pool, int wanted, bool decode) {
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
  void rescale() {
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

  FleetResult fleet_result(const ServingResult& r) {
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

  EplbResult eplb_result() const {
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

  // The share of a step a GPU's NIC is busy with `bytes` at line rate.
  double nic_share(double bytes, double step_s) const {
    const GpuPreset& g = s_.prefill.cluster.gpu;
    const double line = g.nic_gbit_per_s / 8 * 1e9 * g.nics;
    return step_s > 0 && line > 0 ? std::min(1.0, bytes / line / step_s) : 0;
  }

  // The chosen unit's steps within the chosen window, for trace.json.
  void record_step(bool prefill, int unit, double seconds, double load) {
    const double start = sim::to_seconds(now_);
    if (unit != s_.trace_unit || steps_.size() >= kMaxSteps || start + seconds < s_.trace_from_s || start > s_.trace_to_s) return;
    steps_.push_back(UnitStep{prefill, unit, now_, now_ + sim::from_seconds(seconds), load});
  }

  ServingSample sample() const {
    ServingSample x;
    x.prefill_queue = loading_;
    x.decode_queue = static_cast<int>(waiting_decode_.size());
    double reserved = 0;
    for (const DecodeUnit& u : decode_)
      for (const DecodeGpu& g : u.gpus) {
        x.running += g.running;
        x.running_max_gpu = std::max(x.running_max_gpu, g.running);
        reserved += g.kv_reserved;
      }
    const double gpus = static_cast<double>(s_.decode.units) * s_.decode.unit.deployment.ep;
    x.kv_usage = reserved / (gpus * s_.decode.kv_capacity_tokens);
    x.prefill_units = prefill_ledger_->count(UnitState::kServing);
    x.decode_units = decode_ledger_->count(UnitState::kServing);
    x.prefill_held = prefill_ledger_->units() - prefill_ledger_->count(UnitState::kReleased);
    x.decode_held = decode_ledger_->units() - decode_ledger_->count(UnitState::kReleased);
    return x;
  }

  static constexpr std::size_t kMaxSteps = 20000;
  const ServingSpec& s_;
  std::unique_ptr<RequestStream> source_;
  std::vector<Live> live_;  // requests in the system, by slot
  std::vector<int> free_;   // slots free for the next arrivals
  long long arrivals_ = 0;
  PrefixCache cache_;
  std::mt19937_64 rng_;
  std::unique_ptr<StepPrices> prices_;
  std::unique_ptr<ServingStats> stats_;
  sim::EventQueue q_;
  sim::Time now_ = 0;
  std::vector<PrefillUnit> prefill_;
  std::vector<DecodeUnit> decode_;
  std::deque<int> waiting_prefill_, waiting_decode_;
  std::set<std::tuple<double, int, int>> open_;
  bool source_done_ = false;
  double queued_tokens_ = 0;  // prompt tokens waiting for a prefill step
  // The fleet: units' states and their accounting, the policy, its signals.
  std::unique_ptr<PoolLedger> prefill_ledger_, decode_ledger_;
  std::unique_ptr<Autoscaler> autoscaler_;
  std::unique_ptr<ExpertReplanning> replan_;
  int check_stride_ = 1, load_checks_ = 0;
  std::array<double, 2> paused_s_{};
  bool slo_policy_ = false;
  double revenue_paid_ = 0;  // completed requests at their completion's price
  std::vector<double> interval_ttft_, interval_tpot_;  // the SLO policy's: latencies since its last look
  double prefill_busy_s_ = 0, prefill_serving_mark_ = 0;
  int nodes_peak_ = 0, nodes_min_ = 0;
  long long scale_ups_ = 0, scale_downs_ = 0;  // (KV reserved, unit, GPU) of decode GPUs below their request limit
  int loading_ = 0;     // waiting for a prefill step, their prefix loading included
  long long in_system_ = 0;
  long long prefill_steps_ = 0, decode_steps_ = 0;
  std::vector<UnitStep> steps_;
};

}  // namespace

ServingResult simulate_serving(const ServingSpec& spec) {
  const auto t0 = std::chrono::steady_clock::now();
  Simulation sim(spec, open_requests(spec.source, "/workload/source"));
  ServingResult r = sim.run();
  name_reductions(spec, r);
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace v3sim::models
