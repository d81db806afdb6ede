#pragma once
// What a serving run measures (docs/serving.md, "Outputs"): each request's
// arrival, first token and completion; the requests in the system
// integrated over time from the simulation's own counts; samples of its
// state at regular intervals; and at the end the distributions, throughput,
// prefix-cache hits and SLO attainment.
#include <vector>

#include "models/serving/serving_sim.hpp"

namespace v3sim::models {

class ServingStats {
 public:
  ServingStats(const ServingSpec& s, const std::vector<Request>& requests);
  // The system held `in_system` requests from the last event until `t`.
  void advance(sim::Time t, long long in_system);
  void arrived(int r);
  void rejected(int r);
  void cache_read(int r, int cached_tokens, double bytes);
  void first_token(int r, sim::Time t);
  void completed(int r, sim::Time t);
  // Keeps `state` if a sampling interval has passed since the last one.
  void sample(sim::Time t, ServingSample state);
  ServingResult finish();

 private:
  const ServingSpec& s_;
  const std::vector<Request>& req_;
  std::vector<sim::Time> first_, done_;
  std::vector<bool> finished_;
  ServingResult r_;
  sim::Time last_ = 0, first_arrival_ = -1, last_done_ = 0;
  double area_ = 0;  // requests x seconds in the system
  sim::Time interval_ = 1, next_sample_ = 0;
  std::vector<double> ttft_window_, tpot_window_;
};

// The mean and the nearest-rank percentiles of `v`.
Distribution distribution(std::vector<double> v);

}  // namespace v3sim::models
