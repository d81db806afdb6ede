#include "models/serving/serving_stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace v3sim::models {
namespace {

constexpr int kSamples = 200;

double tpot(const Request& q, sim::Time first, sim::Time done) {
  return q.output_len > 1 ? sim::to_seconds(done - first) / (q.output_len - 1) : 0;
}

}  // namespace

Distribution distribution(std::vector<double> v) {
  Distribution d;
  d.count = static_cast<long long>(v.size());
  if (v.empty()) return d;
  std::sort(v.begin(), v.end());
  d.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  auto rank = [&](double p) {
    const std::size_t k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, k == 0 ? 0 : k - 1)];
  };
  d.p50 = rank(0.50);
  d.p90 = rank(0.90);
  d.p99 = rank(0.99);
  return d;
}

ServingStats::ServingStats(const ServingSpec& s, const std::vector<Request>& requests)
    : s_(s), req_(requests), first_(requests.size(), -1), done_(requests.size(), -1), finished_(requests.size(), false) {
  const sim::Time span = requests.empty() ? 0 : requests.back().arrival - requests.front().arrival;
  interval_ = std::max<sim::Time>(1, span / kSamples);
}

void ServingStats::advance(sim::Time t, long long in_system) {
  area_ += static_cast<double>(in_system) * sim::to_seconds(t - last_);
  last_ = t;
}

void ServingStats::arrived(int r) {
  ++r_.arrived;
  if (first_arrival_ < 0) first_arrival_ = req_[static_cast<std::size_t>(r)].arrival;
  r_.input_tokens += req_[static_cast<std::size_t>(r)].input_len;
}

void ServingStats::rejected(int r) {
  ++r_.rejected;
  r_.input_tokens -= req_[static_cast<std::size_t>(r)].input_len;
}

void ServingStats::cache_read(int, int cached_tokens, double bytes) {
  r_.cached_tokens += cached_tokens;
  r_.cache_bytes_read += bytes;
}

void ServingStats::first_token(int r, sim::Time t) {
  first_[static_cast<std::size_t>(r)] = t;
  ttft_window_.push_back(sim::to_seconds(t - req_[static_cast<std::size_t>(r)].arrival));
}

void ServingStats::completed(int r, sim::Time t) {
  const std::size_t i = static_cast<std::size_t>(r);
  done_[i] = t;
  finished_[i] = true;
  ++r_.completed;
  r_.output_tokens += req_[i].output_len;
  last_done_ = std::max(last_done_, t);
  if (req_[i].output_len > 1) tpot_window_.push_back(tpot(req_[i], first_[i], t));
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
  ttft_window_.clear();
  tpot_window_.clear();
  r_.samples.push_back(state);
}

ServingResult ServingStats::finish() {
  std::vector<double> ttft, tpots, e2e;
  long long attained = 0;
  for (std::size_t i = 0; i < req_.size(); ++i) {
    if (!finished_[i]) continue;
    const double t1 = sim::to_seconds(first_[i] - req_[i].arrival);
    const double tp = tpot(req_[i], first_[i], done_[i]);
    ttft.push_back(t1);
    if (req_[i].output_len > 1) tpots.push_back(tp);
    e2e.push_back(sim::to_seconds(done_[i] - req_[i].arrival));
    const bool ok = (!s_.slo_ttft_s || t1 <= *s_.slo_ttft_s) && (!s_.slo_tpot_s || tp <= *s_.slo_tpot_s);
    attained += ok ? 1 : 0;
  }
  ServingResult r = std::move(r_);
  r.ttft_s = distribution(ttft);
  r.tpot_s = distribution(tpots);
  r.e2e_s = distribution(e2e);
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
