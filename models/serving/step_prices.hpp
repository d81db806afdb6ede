#pragma once
// What one unit's step costs, from the step model (docs/serving.md, "Step
// prices"): a prefill step by the tokens each GPU computes and the length
// their attention spans, a decode step by the requests each GPU runs and
// their mean KV length. The step model is run at the nodes of a grid
// (log-spaced, filled on first use) and the surface interpolates between
// them, bilinear in the logs; its error is measured against the step model
// at random states and reported. Below the grid the step model runs
// directly (memoised). Or every step a fixed time (abstract mode).
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "models/serving/serving_spec.hpp"

namespace v3sim::models {

struct PriceError {
  int points = 0;
  double max_relative = 0;
  double mean_relative = 0;
};

class StepSurface {
 public:
  // `price(x, y)` runs the step model; the axes' nodes, ascending.
  using Price = std::function<double(double, double)>;
  StepSurface(Price price, std::vector<double> xs, std::vector<double> ys);
  double operator()(double x, double y);
  // The interpolation against the step model at `points` log-uniform states
  // (x rounded to whole numbers with `whole_x`: states that occur).
  PriceError check(int points, std::mt19937_64& rng, bool whole_x);
  int simulations() const { return simulations_; }

 private:
  double node(std::size_t i, std::size_t j);
  double direct(double x, double y);
  Price price_;
  std::vector<double> xs_, ys_;
  std::map<std::pair<std::size_t, std::size_t>, double> nodes_;
  std::map<std::pair<long long, long long>, double> direct_;
  int simulations_ = 0;
};

class StepPrices {
 public:
  // `max_prompt` and `max_context`: the source's longest prompt and longest
  // prompt plus output (the surfaces' far edges).
  StepPrices(const ServingSpec& s, int max_prompt, int max_context);
  // A prefill unit's step: `tokens_per_gpu` computed per GPU, attending on
  // average over `attention_len` tokens (the causal-equivalent prompt length).
  double prefill_s(double tokens_per_gpu, double attention_len);
  // A decode unit's step with `requests_per_gpu` running at `mean_kv` tokens.
  double decode_s(double requests_per_gpu, double mean_kv);
  PriceError prefill_error, decode_error;  // measured at construction
  int simulations() const;
  bool fixed() const { return spec_.prices.fixed; }

 private:
  const ServingSpec& spec_;
  std::unique_ptr<StepSurface> prefill_, decode_;
};

}  // namespace v3sim::models
