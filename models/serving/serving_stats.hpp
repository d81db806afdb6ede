#pragma once
// What a serving run measures (docs/serving.md, "Outputs"): each request's
// arrival, first token and completion, folded into streaming distributions
// as they happen (no record per request is kept); the requests in the
// system integrated over time from the simulation's own counts; samples of
// its state at regular intervals; and at the end the distributions,
// throughput, prefix-cache hits and SLO attainment.
#include <vector>

#include "models/serving/quantiles.hpp"
#include "models/serving/serving_sim.hpp"

namespace v3sim::models {

class ServingStats {
 public:
  // `span_s`: the arrivals' span (samples are taken over it).
  ServingStats(const ServingSpec& s, double span_s);
  // The system held `in_system` requests from the last event until `t`.
  void advance(sim::Time t, long long in_system);
  void arrived(const Request& q);
  void rejected(const Request& q);
  void cache_read(int cached_tokens, double bytes);
  void first_token(const Request& q, sim::Time t);
  void completed(const Request& q, sim::Time first_token, sim::Time t);
  // Keeps `state` if a sampling interval has passed since the last one.
  void sample(sim::Time t, ServingSample state);
  // Whether a sample is due at `t` (the state is gathered only then).
  bool sample_due(sim::Time t) const { return t >= next_sample_; }
  ServingResult finish();
  // Each completed request's decode speed, tokens per second after its first.
  Distribution user_speed() const { return speed_.distribution(); }

 private:
  const ServingSpec& s_;
  Quantiles ttft_, tpot_, e2e_, speed_;
  long long attained_ = 0;
  ServingResult r_;
  sim::Time last_ = 0, first_arrival_ = -1, last_done_ = 0;
  double area_ = 0;  // requests x seconds in the system
  sim::Time interval_ = 1, next_sample_ = 0;
  std::vector<double> ttft_window_, tpot_window_;
};

}  // namespace v3sim::models
