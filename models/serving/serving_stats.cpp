#include "models/serving/serving_stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

namespace v3sim::models {
namespace {

constexpr int kSamples = 200;

double tpot(const Request& q, sim::Time first, sim::Time done) {
  return q.output_len > 1 ? sim::to_seconds(done - first) / (q.output_len - 1) : 0;
}

}  // namespace

ServingStats::ServingStats(const ServingSpec& s, double span_s) : s_(s) {
  interval_ = std::max<sim::Time>(1, sim::from_seconds(span_s) / kSamples);
}

void ServingStats::advance(sim::Time t, long long in_system) {
  area_ += static_cast<double>(in_system) * sim::to_seconds(t - last_);
  last_ = t;
}

void ServingStats::arrived(const Request& q) {
  ++r_.arrived;
  if (first_arrival_ < 0) first_arrival_ = q.arrival;
  r_.input_tokens += q.input_len;
}

void ServingStats::rejected(const Request& q) {
  ++r_.rejected;
  r_.input_tokens -= q.input_len;
}

void ServingStats::cache_read(int cached_tokens, double bytes) {
  r_.cached_tokens += cached_tokens;
  r_.cache_bytes_read += bytes;
}

void ServingStats::first_token(const Request& q, sim::Time t) {
  ttft_window_.push_back(sim::to_seconds(t - q.arrival));
}

void ServingStats::completed(const Request& q, sim::Time first, sim::Time t) {
  ++r_.completed;
  r_.output_tokens += q.output_len;
  last_done_ = std::max(last_done_, t);
  const double t1 = sim::to_seconds(first - q.arrival), tp = tpot(q, first, t);
  ttft_.add(t1);
  if (q.output_len > 1) {
    tpot_.add(tp);
    tpot_window_.push_back(tp);
    if (tp > 0) speed_.add(1 / tp);
  }
  e2e_.add(sim::to_seconds(t - q.arrival));
  const bool ok = (!s_.slo_ttft_s || t1 <= *s_.slo_ttft_s) && (!s_.slo_tpot_s || tp <= *s_.slo_tpot_s);
  attained_ += ok ? 1 : 0;
}

void ServingStats::sample(sim::Time t, ServingSample state) {
  if (t < next_sample_) return;
  next_sample_ = t + interval_;
  state.t_s = sim::to_seconds(t);
  state.arrived = r_.arrived;
  state.completed = r_.completed;
  state.ttft_p90_s = distribution(ttft_window_).p90;
  state.tpot_p90_s = distribution(tpot_window_).p90;
  state.hit_ratio = r_.input_tokens > 0 ? r_.cached_tokens / r_.input_tokens : 0;
  state.input_tokens = r_.input_tokens;
  state.cached_tokens = r_.cached_tokens;
  state.output_tokens = r_.output_tokens;
  ttft_window_.clear();
  tpot_window_.clear();
  r_.samples.push_back(state);
}

ServingResult ServingStats::finish() {
  const long long attained = attained_;
  ServingResult r = std::move(r_);
  r.ttft_s = ttft_.distribution();
  r.tpot_s = tpot_.distribution();
  r.e2e_s = e2e_.distribution();
  if (ttft_.binned())
    r.reductions.push_back(fmt::format(
        "TTFT, TPOT and end-to-end percentiles from log-spaced histograms past {} requests: within {:.2f}% of the exact nearest rank",
        std::size_t{1} << 20, 100 * ttft_.binned_error()));
  const sim::Time start = std::max<sim::Time>(0, first_arrival_);
  r.duration_s = sim::to_seconds(std::max(last_done_, last_) - start);
  const double d = r.duration_s > 0 ? r.duration_s : 1;
  r.input_tokens_per_s = r.input_tokens / d;
  r.output_tokens_per_s = r.output_tokens / d;
  const double nodes_p = static_cast<double>(s_.prefill.units) * s_.prefill.cluster.spec.nodes;
  const double nodes_d = static_cast<double>(s_.decode.units) * s_.decode.cluster.spec.nodes;
  r.input_tokens_per_s_per_prefill_node = r.input_tokens_per_s / nodes_p;
  r.output_tokens_per_s_per_decode_node = r.output_tokens_per_s / nodes_d;
  r.hit_ratio = r.input_tokens > 0 ? r.cached_tokens / r.input_tokens : 0;
  r.has_slo = s_.slo_ttft_s.has_value() || s_.slo_tpot_s.has_value();
  r.slo_attainment = r.completed > 0 ? static_cast<double>(attained) / static_cast<double>(r.completed) : 0;
  r.goodput_requests_per_s = static_cast<double>(attained) / d;
  // Over [first arrival, end]: the run's own count of requests in the system.
  r.mean_in_system = area_ / d;
  r.arrival_rate_per_s = static_cast<double>(r.arrived - r.rejected) / d;
  return r;
}

}  // namespace v3sim::models
