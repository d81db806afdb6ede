#pragma once
// What one unit's step costs, from the step model (docs/serving.md, "Step
// prices"): a prefill step by the tokens each GPU computes and the length
// their attention spans, a decode step by the requests each GPU runs and
// their mean KV length. The step model is run at the nodes of a grid
// (log-spaced, filled on first use) and the surface interpolates between
// them, bilinear in the logs. Below the x axis's first node (the smallest
// batch the step model distinguishes) the price is that node's; below the y
// axis's the step model runs directly (memoised). The step model runs on
// the unit's per-layer envelope (one GPU as slow as the slowest). After the
// run, both shortcuts are measured at states drawn from the run's own
// queries: the surface against the step model, the envelope against every
// GPU. Or every step a fixed time (abstract mode).
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include "models/inference/step_load.hpp"
#include "models/serving/serving_spec.hpp"

namespace v3sim::models {

// A uniform random sample of up to `size` items of a stream (reservoir
// sampling, seeded): the checks' states, drawn from a run's own queries.
template <typename T>
class Reservoir {
 public:
  Reservoir(std::size_t size, std::uint64_t seed) : size_(size), rng_(seed) {}
  // Li's Algorithm L ("Reservoir-sampling algorithms of time complexity
  // O(n(1 + log(N/n)))", 1994): once full, the number of offers to skip
  // before the next replacement is drawn, so most offers cost a comparison.
  void offer(const T& item) {
    ++seen_;
    if (items_.size() < size_) {
      items_.push_back(item);
      if (items_.size() == size_) {
        w_ = std::exp(std::log(uniform()) / static_cast<double>(size_));
        skip();
      }
      return;
    }
    if (size_ == 0 || seen_ < next_) return;
    items_[std::uniform_int_distribution<std::size_t>(0, size_ - 1)(rng_)] = item;
    w_ *= std::exp(std::log(uniform()) / static_cast<double>(size_));
    skip();
  }
  const std::vector<T>& items() const { return items_; }

 private:
  double uniform() { return std::uniform_real_distribution<double>(std::nextafter(0.0, 1.0), 1.0)(rng_); }
  void skip() {
    const double gap = std::floor(std::log(uniform()) / std::log1p(-w_));
    next_ = seen_ + 1 + static_cast<long long>(std::min(gap, 1e18));
  }

  std::size_t size_;
  long long seen_ = 0, next_ = 0;
  double w_ = 1;
  std::mt19937_64 rng_;
  std::vector<T> items_;
};

struct PriceError {
  int points = 0;
  double max_relative = 0;
  double mean_relative = 0;
};

class StepSurface {
 public:
  // `price(x, y)` runs the step model; the axes' nodes, ascending; `samples`
  // queries kept (uniformly at random, seeded) for the checks.
  using Price = std::function<double(double, double)>;
  StepSurface(Price price, std::vector<double> xs, std::vector<double> ys, int samples, std::uint64_t seed);
  double operator()(double x, double y);
  // `approx` against `exact` at the first `points` sampled queries.
  PriceError compare(const Price& approx, const Price& exact, int points);
  // The interpolation against the step model at the sampled queries.
  PriceError check(int points);
  int simulations() const { return simulations_; }

 private:
  double interpolate(double x, double y);
  double log_node(std::size_t i, std::size_t j);  // the log of the step model's price at a node
  double direct(double x, double y);
  Price price_;
  std::vector<double> xs_, ys_, log_xs_, log_ys_;
  std::vector<double> nodes_;  // logs of prices, by x node then y node; NaN until simulated
  std::vector<std::tuple<std::size_t, std::size_t, double>> x_cells_;  // by whole x: its cell and weight (weight -1: not yet)
  std::map<std::pair<long long, long long>, double> direct_;
  int simulations_ = 0;
  Reservoir<std::pair<double, double>> sample_;  // of the queries
};

class StepPrices {
 public:
  // `max_prompt` and `max_context`: the source's longest prompt and longest
  // prompt plus output (the surfaces' far edges).
  StepPrices(const ServingSpec& s, int max_prompt, int max_context);
  // A prefill unit's step whose DP ranks compute `tokens[r]` tokens with
  // `attention[r]` = sum over their chunks of c (o + c/2) (c tokens after o
  // already cached): the step model at the mean rank, plus the busiest rank's
  // rank-local compute and the longest exchanges beyond the mean rank's
  // (docs/serving.md).
  double prefill_s(const std::vector<double>& tokens, const std::vector<double>& attention);
  // A decode unit's step with `requests_per_gpu` running at `mean_kv` tokens.
  double decode_s(double requests_per_gpu, double mean_kv);
  // Expert-parallel bytes on a GPU's NIC per step: per token a prefill GPU
  // computes, per request a decode GPU runs (from one step of each pool at
  // its full batch and 4K context; 0 in abstract mode).
  double prefill_nic_bytes_per_token = 0, decode_nic_bytes_per_request = 0;
  // Measures the shortcuts at the run's sampled queries (call after the run).
  void check();
  PriceError prefill_error, decode_error;  // the surfaces' interpolation
  // The per-layer envelope against every GPU (no points: every GPU simulated).
  PriceError prefill_envelope_error, decode_envelope_error;
  // Prefill steps of unequal ranks: the price against the step model given
  // each rank's batch, at sampled steps of the run.
  PriceError prefill_ranks_error;
  int simulations() const;
  bool fixed() const { return spec_.prices.fixed; }

  // The expert load of the moment (re-planning over a day, docs/fleet.md):
  // steps draw from `shares` and are placed by a plan made on `plan`. Each
  // price is then the surfaces' times a load factor, the step model's ratio
  // of this load's price to the scenario's own at the same batch (log-spaced
  // batches, 8x apart, interpolated; one length): the surfaces' other axis
  // assumed not to move it. When `check`, the factor is first measured on
  // the outgoing load against the step model at its last query of each pool.
  void set_expert_load(std::shared_ptr<const std::vector<std::vector<double>>> shares,
                       std::shared_ptr<const std::vector<std::vector<double>>> plan, bool check);
  std::array<PriceError, 2> load_factor_error;  // prefill, decode
  std::array<int, 2> load_simulations{};        // the factors' step-model runs

 private:
  const ServingSpec& spec_;
  std::unique_ptr<StepSurface> prefill_, decode_;
  // Prefill's rank-local compute on the same grid (from the stages' costs: no step simulation).
  std::unique_ptr<StepSurface> prefill_local_;
  // Prefill's exchanges' time on a GPU (its comm stream), from the price's own runs.
  std::unique_ptr<StepSurface> prefill_exchange_;
  std::map<std::pair<int, int>, std::pair<double, double>> prefill_runs_;  // (tokens, prompt) -> (step, exchanges)
  double prefill_price(const std::vector<double>& tokens, const std::vector<double>& attention);
  // A uniform sample of the prefill steps' ranks (tokens, attention), and the
  // step model run with each rank's batch.
  Reservoir<std::pair<std::vector<double>, std::vector<double>>> rank_sample_;
  std::function<double(const std::vector<double>&, const std::vector<double>&)> prefill_ranks_;
  // One step on the envelope and on every GPU, the unit's own micro-batching.
  StepSurface::Price prefill_envelope_, prefill_whole_, decode_envelope_, decode_whole_;
  // Each pool's expert loads and exchanges by batch, shared across lengths.
  std::unique_ptr<StepLoadCache> prefill_loads_, decode_loads_;

  // The load factor (set_expert_load). A pool's price at (x, y) under a load
  // (null: the scenario's own; loads cached by batch in `loads`).
  struct LoadFactor {
    std::function<double(double, double, const ExpertLoadSpec*, StepLoadCache*)> price;
    std::vector<double> xs;         // batches, ascending
    double y = 16;                  // the length it is priced at
    std::vector<double> own, now;   // prices at xs: the own load's, this load's (NaN until needed)
    std::unique_ptr<StepLoadCache> loads;  // this load's
    StepLoadCache* own_loads = nullptr;    // the scenario's own load's (the surfaces')
    std::pair<double, double> last_query{0, 0};
  };
  std::array<LoadFactor, 2> factors_;
  std::unique_ptr<ExpertLoadSpec> load_;  // the load of the moment; null: the scenario's own
  double load_factor(int pool, double x, double y);
};

}  // namespace v3sim::models
