#include "models/serving/serving_sim.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <fmt/format.h>
#include <numeric>
#include <random>

#include "models/serving/prefix_cache.hpp"
#include "models/serving/serving_stats.hpp"
#include "sim/event_queue.hpp"

namespace v3sim::models {
namespace {

enum Kind : std::uint32_t { kArrive, kReady, kPrefillDone, kKvArrive, kDecodeDone };

struct RequestState {
  int computed = 0;      // prompt tokens whose KV exists (cached or computed)
  int cached = 0;        // of them, loaded from the prefix cache
  sim::Time first_token = -1;
  int generated = 0;     // output tokens after the first
  int unit = -1, gpu = -1;
  int prefill_rank = -1;  // the DP rank its prompt's chunks run on (its KV is there)
};

// One decode GPU: its running requests and the KV it holds for them.
struct DecodeGpu {
  std::vector<int> running;
  double kv_tokens = 0;      // current KV lengths, summed
  double kv_reserved = 0;    // input + output of each running request
};

struct PrefillUnit {
  bool busy = false;
  double nic_busy = 0;  // the share of its GPUs' NIC time the current step's exchanges take
  std::vector<std::pair<int, int>> batch;  // (request, tokens computed in this step)
};

struct DecodeUnit {
  bool busy = false;
  double nic_busy = 0;
  std::vector<DecodeGpu> gpus;
};

class Simulation {
 public:
  Simulation(const ServingSpec& s, std::vector<Request> requests)
      : s_(s), req_(std::move(requests)), state_(req_.size()),
        cache_(s.cache, s.source.block_tokens * s.kv_bytes_per_token), rng_(s.seed) {
    int max_prompt = 1, max_context = 1;
    for (const Request& r : req_) {
      max_prompt = std::max(max_prompt, r.input_len);
      max_context = std::max(max_context, r.input_len + r.output_len);
    }
    prices_ = std::make_unique<StepPrices>(s, max_prompt, max_context);
    prefill_.resize(static_cast<std::size_t>(s.prefill.units));
    decode_.resize(static_cast<std::size_t>(s.decode.units));
    for (DecodeUnit& u : decode_) u.gpus.resize(static_cast<std::size_t>(s.decode.unit.deployment.ep));
    stats_ = std::make_unique<ServingStats>(s, req_);
  }

  ServingResult run() {
    for (std::size_t i = 0; i < req_.size(); ++i) q_.push(req_[i].arrival, kArrive, static_cast<std::uint32_t>(i));
    while (!q_.empty()) {
      const sim::Event e = q_.pop();
      stats_->advance(e.time, in_system_);
      now_ = e.time;
      const int r = static_cast<int>(e.target);
      switch (e.kind) {
        case kArrive: arrive(r); break;
        case kReady: waiting_prefill_.push_back(r); break;
        case kPrefillDone: prefill_done(r); break;
        case kKvArrive: kv_arrive(r); break;
        case kDecodeDone: decode_done(r); break;
      }
      schedule_prefill();
      admit();
      stats_->sample(now_, sample());
    }
    ServingResult out = stats_->finish();
    prices_->check();
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
  void arrive(int r) {
    const Request& q = req_[static_cast<std::size_t>(r)];
    stats_->arrived(r);
    // A request whose prompt and output cannot fit one decode GPU's KV is refused.
    if (q.input_len + q.output_len > s_.decode.kv_capacity_tokens) {
      stats_->rejected(r);
      return;
    }
    ++in_system_;
    RequestState& st = state_[static_cast<std::size_t>(r)];
    // The cached prefix (at least the last prompt token is computed) is read
    // before the prompt joins the prefill queue.
    const PrefixCache::Hit hit = cache_.lookup(q.blocks, sim::to_seconds(now_));
    st.cached = std::min(hit.blocks * s_.source.block_tokens, q.input_len - 1);
    st.computed = st.cached;
    stats_->cache_read(r, st.cached, hit.bytes);
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
      auto unit = std::find_if(prefill_.begin(), prefill_.end(), [](const PrefillUnit& u) { return !u.busy; });
      if (unit == prefill_.end()) return;
      std::vector<double> tokens(static_cast<std::size_t>(ep), 0), attention(static_cast<std::size_t>(ep), 0);
      std::vector<int> blocked;  // requests whose rank is full this step, in queue order
      unit->batch.clear();
      while (!waiting_prefill_.empty()) {
        const int r = waiting_prefill_.front();
        RequestState& st = state_[static_cast<std::size_t>(r)];
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
        const int left = req_[static_cast<std::size_t>(r)].input_len - st.computed;
        const int chunk = static_cast<int>(std::min<double>(left, budget - tokens[k]));
        // Causal attention of the chunk over everything before it.
        attention[k] += chunk * (st.computed + chunk / 2.0);
        tokens[k] += chunk;
        st.prefill_rank = rank;
        unit->batch.emplace_back(r, chunk);
        --loading_;
      }
      for (auto it = blocked.rbegin(); it != blocked.rend(); ++it) waiting_prefill_.push_front(*it);
      if (unit->batch.empty()) return;
      unit->busy = true;
      const double step = prices_->prefill_s(tokens, attention);
      const double busiest = *std::max_element(tokens.begin(), tokens.end());
      const double mean = std::accumulate(tokens.begin(), tokens.end(), 0.0) / ep;
      unit->nic_busy = nic_share(prices_->prefill_nic_bytes_per_token * mean, step);
      const int u = static_cast<int>(unit - prefill_.begin());
      record_step(true, u, step, busiest);
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
      const Request& q = req_[static_cast<std::size_t>(r)];
      RequestState& st = state_[static_cast<std::size_t>(r)];
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
  }

  void kv_arrive(int r) {
    RequestState& st = state_[static_cast<std::size_t>(r)];
    st.first_token = now_;
    stats_->first_token(r, now_);
    if (req_[static_cast<std::size_t>(r)].output_len == 1) return complete(r);
    waiting_decode_.push_back(r);
  }

  // Waiting requests, FCFS, to the decode GPU with the least KV reserved
  // among those with room (DeepSeek balances KV usage and request counts).
  void admit() {
    while (!waiting_decode_.empty()) {
      const int r = waiting_decode_.front();
      const Request& q = req_[static_cast<std::size_t>(r)];
      const double need = q.input_len + q.output_len;
      int best_u = -1, best_g = -1;
      double best_kv = 0;
      for (std::size_t u = 0; u < decode_.size(); ++u)
        for (std::size_t g = 0; g < decode_[u].gpus.size(); ++g) {
          const DecodeGpu& gpu = decode_[u].gpus[g];
          if (static_cast<int>(gpu.running.size()) >= s_.decode.max_requests_per_gpu) continue;
          if (gpu.kv_reserved + need > s_.decode.kv_capacity_tokens) continue;
          if (best_u < 0 || gpu.kv_reserved < best_kv) {
            best_u = static_cast<int>(u), best_g = static_cast<int>(g), best_kv = gpu.kv_reserved;
          }
        }
      if (best_u < 0) return;
      waiting_decode_.pop_front();
      DecodeGpu& gpu = decode_[static_cast<std::size_t>(best_u)].gpus[static_cast<std::size_t>(best_g)];
      gpu.running.push_back(r);
      gpu.kv_tokens += q.input_len + 1;
      gpu.kv_reserved += need;
      RequestState& st = state_[static_cast<std::size_t>(r)];
      st.unit = best_u, st.gpu = best_g;
      if (!decode_[static_cast<std::size_t>(best_u)].busy) start_decode(best_u);
    }
  }

  void start_decode(int u) {
    DecodeUnit& unit = decode_[static_cast<std::size_t>(u)];
    double step = 0, busiest = 0;
    for (const DecodeGpu& g : unit.gpus) {
      if (g.running.empty()) continue;
      const double n = static_cast<double>(g.running.size());
      // The unit steps in lockstep: its slowest GPU's price.
      step = std::max(step, prices_->decode_s(n, g.kv_tokens / n));
      busiest = std::max(busiest, n);
    }
    if (busiest == 0) return;
    unit.busy = true;
    unit.nic_busy = nic_share(prices_->decode_nic_bytes_per_request * busiest, step);
    record_step(false, u, step, busiest);
    ++decode_steps_;
    q_.push(now_ + sim::from_seconds(step), kDecodeDone, static_cast<std::uint32_t>(u));
  }

  void decode_done(int u) {
    DecodeUnit& unit = decode_[static_cast<std::size_t>(u)];
    unit.busy = false;
    const int depth = s_.decode.unit.mtp_depth;
    std::bernoulli_distribution accept(s_.decode.unit.acceptance);
    for (DecodeGpu& g : unit.gpus) {
      std::vector<int> still;
      for (int r : g.running) {
        const Request& q = req_[static_cast<std::size_t>(r)];
        RequestState& st = state_[static_cast<std::size_t>(r)];
        // One token, and each drafted token accepted in turn.
        int tokens = 1;
        for (int k = 0; k < depth && accept(rng_); ++k) ++tokens;
        tokens = std::min(tokens, q.output_len - 1 - st.generated);
        st.generated += tokens;
        g.kv_tokens += tokens;
        if (st.generated < q.output_len - 1) {
          still.push_back(r);
          continue;
        }
        g.kv_tokens -= q.input_len + 1 + st.generated;
        g.kv_reserved -= q.input_len + q.output_len;
        complete(r);
      }
      g.running = std::move(still);
    }
    start_decode(u);
  }

  void complete(int r) {
    --in_system_;
    stats_->completed(r, now_);
  }

  // The chosen unit's steps within the chosen window, for trace.json.
  // The share of a step a GPU's NIC is busy with `bytes` at line rate.
  double nic_share(double bytes, double step_s) const {
    const GpuPreset& g = s_.prefill.cluster.gpu;
    const double line = g.nic_gbit_per_s / 8 * 1e9 * g.nics;
    return step_s > 0 && line > 0 ? std::min(1.0, bytes / line / step_s) : 0;
  }

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
        x.running += static_cast<int>(g.running.size());
        x.running_max_gpu = std::max(x.running_max_gpu, static_cast<int>(g.running.size()));
        reserved += g.kv_reserved;
      }
    const double gpus = static_cast<double>(s_.decode.units) * s_.decode.unit.deployment.ep;
    x.kv_usage = reserved / (gpus * s_.decode.kv_capacity_tokens);
    return x;
  }

  static constexpr std::size_t kMaxSteps = 20000;
  const ServingSpec& s_;
  std::vector<Request> req_;
  std::vector<RequestState> state_;
  PrefixCache cache_;
  std::mt19937_64 rng_;
  std::unique_ptr<StepPrices> prices_;
  std::unique_ptr<ServingStats> stats_;
  sim::EventQueue q_;
  sim::Time now_ = 0;
  std::vector<PrefillUnit> prefill_;
  std::vector<DecodeUnit> decode_;
  std::deque<int> waiting_prefill_, waiting_decode_;
  int loading_ = 0;     // waiting for a prefill step, their prefix loading included
  long long in_system_ = 0;
  long long prefill_steps_ = 0, decode_steps_ = 0;
  std::vector<UnitStep> steps_;
};

}  // namespace

ServingResult simulate_serving(const ServingSpec& spec) {
  const auto t0 = std::chrono::steady_clock::now();
  Simulation sim(spec, load_requests(spec.source, "/workload/source"));
  ServingResult r = sim.run();
  if (spec.prices.fixed) {
    r.reductions.push_back("step prices fixed (abstract mode): every prefill and every decode step takes the given time");
  } else {
    r.reductions.push_back(fmt::format(
        "step prices from a response surface over the step model (prefill: tokens per GPU x attention length; decode: "
        "requests per GPU x mean KV length), bilinear in the logs; measured against the step model at {} of the run's queries drawn at random: "
        "prefill max {:.1f}% mean {:.1f}%, decode max {:.1f}% mean {:.1f}%",
        r.prefill_price_error.points, 100 * r.prefill_price_error.max_relative, 100 * r.prefill_price_error.mean_relative,
        100 * r.decode_price_error.max_relative, 100 * r.decode_price_error.mean_relative));
    if (spec.prices.envelope)
      r.reductions.push_back(fmt::format(
          "the step model runs on each unit's per-layer envelope (one GPU as slow as the slowest in every stage and "
          "exchange of every layer: an upper bound of the lockstep unit); measured against every GPU at {} of the "
          "run's queries drawn at random: prefill max {:.1f}% mean {:.1f}%, decode max {:.1f}% mean {:.1f}%",
          r.prefill_envelope_error.points, 100 * r.prefill_envelope_error.max_relative,
          100 * r.prefill_envelope_error.mean_relative, 100 * r.decode_envelope_error.max_relative,
          100 * r.decode_envelope_error.mean_relative));
    r.reductions.push_back("a decode unit's step is priced at its busiest GPU's state as if every GPU held it (the step model's symmetric senders)");
  }
  r.reductions.push_back(fmt::format(
      "prefill: a prompt runs on one DP rank, chunked there; a step is priced by the step model at the mean rank's tokens "
      "and attention length plus the busiest rank's rank-local compute (attention, dense and shared-expert layers, head) "
      "and the longest exchanges beyond the mean rank's (exact for balanced ranks); measured against the step model given each rank's batch at {} "
      "of the run's steps drawn at random: max {:.1f}% mean {:.1f}%",
      r.prefill_ranks_error.points, 100 * r.prefill_ranks_error.max_relative, 100 * r.prefill_ranks_error.mean_relative));
  r.reductions.push_back("KV transfer at one GPU's NIC rate less half the expert-parallel exchanges' busy share of the busier end's NIC (max-min sharing; the end's current step, the decode pool's latest steps averaged); its own effect on the exchanges is not modelled");
  r.reductions.push_back("one prefix cache shared by the whole prefill pool; decode admits a request only with KV room for its prompt and whole output (no preemption)");
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace v3sim::models
