#include "models/serving/serving_sim.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "models/serving/fleet_totals.hpp"
#include "models/serving/mtp_steps.hpp"
#include "models/serving/serving_reductions.hpp"
#include "models/serving/serving_simulation.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace detail {

Simulation::Simulation(const ServingSpec& s, std::unique_ptr<RequestStream> source)
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

ServingResult Simulation::run() {
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

// The source's next request into a free slot, its arrival on the queue.
void Simulation::pull() {
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

void Simulation::leave(int r) {
  live(r).q.blocks = {};
  free_.push_back(r);
}

void Simulation::arrive(int r) {
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
void Simulation::schedule_prefill() {
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

void Simulation::prefill_done(int u) {
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

void Simulation::kv_arrive(int r) {
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
void Simulation::admit() {
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

void Simulation::start_decode(int u) {
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
void Simulation::decode_done(int u) {
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

void Simulation::complete(int r) {
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

// The share of a step a GPU's NIC is busy with `bytes` at line rate.
double Simulation::nic_share(double bytes, double step_s) const {
  const GpuPreset& g = s_.prefill.cluster.gpu;
  const double line = g.nic_gbit_per_s / 8 * 1e9 * g.nics;
  return step_s > 0 && line > 0 ? std::min(1.0, bytes / line / step_s) : 0;
}

// The chosen unit's steps within the chosen window, for trace.json.
void Simulation::record_step(bool prefill, int unit, double seconds, double load) {
  const double start = sim::to_seconds(now_);
  if (unit != s_.trace_unit || steps_.size() >= kMaxSteps || start + seconds < s_.trace_from_s || start > s_.trace_to_s) return;
  steps_.push_back(UnitStep{prefill, unit, now_, now_ + sim::from_seconds(seconds), load});
}

ServingSample Simulation::sample() const {
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

}  // namespace detail

ServingResult simulate_serving(const ServingSpec& spec) {
  const auto t0 = std::chrono::steady_clock::now();
  detail::Simulation sim(spec, open_requests(spec.source, "/workload/source"));
  ServingResult r = sim.run();
  name_reductions(spec, r);
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace v3sim::models
