#include "models/serving/step_prices.hpp"

#include <algorithm>
#include <cmath>

#include "models/inference/inference_step.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

// Nodes from `lo` multiplying by `factor` up to `hi`, `hi` itself the last.
std::vector<double> axis(double lo, double hi, double factor) {
  std::vector<double> v;
  for (double x = lo; x < hi; x *= factor) v.push_back(x);
  v.push_back(std::max(hi, lo));
  return v;
}

// The step model prices states the serving run admits by its own KV
// accounting, so the unit is given all the HBM it wants here.
ClusterConfig pricing_cluster(ClusterConfig c) {
  c.gpu.hbm_gb = 1e9;
  return c;
}

}  // namespace

StepSurface::StepSurface(Price price, std::vector<double> xs, std::vector<double> ys)
    : price_(std::move(price)), xs_(std::move(xs)), ys_(std::move(ys)) {}

double StepSurface::node(std::size_t i, std::size_t j) {
  const auto key = std::make_pair(i, j);
  auto it = nodes_.find(key);
  if (it != nodes_.end()) return it->second;
  ++simulations_;
  return nodes_[key] = price_(xs_[i], ys_[j]);
}

double StepSurface::direct(double x, double y) {
  // Memoised in 2% steps of each coordinate (the step model is smooth at that grain).
  const auto key = std::make_pair(std::llround(std::log(x) / std::log(1.02)), std::llround(std::log(y) / std::log(1.02)));
  auto it = direct_.find(key);
  if (it != direct_.end()) return it->second;
  ++simulations_;
  return direct_[key] = price_(x, y);
}

double StepSurface::operator()(double x, double y) {
  if (x < xs_.front() || y < ys_.front()) return direct(x, y);
  x = std::min(x, xs_.back());
  y = std::min(y, ys_.back());
  auto cell = [](const std::vector<double>& a, double v) {
    const std::size_t hi = static_cast<std::size_t>(std::upper_bound(a.begin(), a.end(), v) - a.begin());
    const std::size_t i = std::min(hi == 0 ? 0 : hi - 1, a.size() - 1);
    const std::size_t j = std::min(i + 1, a.size() - 1);
    const double w = j == i ? 0 : (std::log(v) - std::log(a[i])) / (std::log(a[j]) - std::log(a[i]));
    return std::make_tuple(i, j, w);
  };
  const auto [i0, i1, wx] = cell(xs_, x);
  const auto [j0, j1, wy] = cell(ys_, y);
  const double l00 = std::log(node(i0, j0)), l10 = std::log(node(i1, j0));
  const double l01 = std::log(node(i0, j1)), l11 = std::log(node(i1, j1));
  return std::exp((1 - wx) * (1 - wy) * l00 + wx * (1 - wy) * l10 + (1 - wx) * wy * l01 + wx * wy * l11);
}

PriceError StepSurface::check(int points, std::mt19937_64& rng, bool whole_x) {
  PriceError e;
  std::uniform_real_distribution<double> u(0, 1);
  for (int k = 0; k < points; ++k) {
    double x = std::exp(std::log(xs_.front()) + u(rng) * (std::log(xs_.back()) - std::log(xs_.front())));
    if (whole_x) x = std::round(x);
    const double y = std::exp(std::log(ys_.front()) + u(rng) * (std::log(ys_.back()) - std::log(ys_.front())));
    const double interpolated = (*this)(x, y);
    ++simulations_;
    const double exact = price_(x, y);
    const double rel = std::abs(interpolated - exact) / exact;
    e.max_relative = std::max(e.max_relative, rel);
    e.mean_relative += rel / points;
    ++e.points;
  }
  return e;
}

StepPrices::StepPrices(const ServingSpec& s, int max_prompt, int max_context) : spec_(s) {
  if (s.prices.fixed) return;
  const ClusterConfig prefill_cluster = pricing_cluster(s.prefill.cluster);
  const ClusterConfig decode_cluster = pricing_cluster(s.decode.cluster);
  const PoolSpec& p = s.prefill;
  const PoolSpec& d = s.decode;
  // A unit overlaps two micro-batches only where that is faster: at small
  // batches the second pass over the weights costs more than it hides.
  auto best = [](const ClusterConfig& c, InferenceSpec u) {
    const double one = [&] {
      InferenceSpec v = u;
      v.deployment.two_micro_batch = false;
      return simulate_inference(c, v, false).step_s;
    }();
    return u.deployment.two_micro_batch ? std::min(one, simulate_inference(c, u, false).step_s) : one;
  };
  auto price_prefill = [&p, prefill_cluster, best](double tokens, double length) {
    InferenceSpec u = p.unit;
    u.tokens_per_gpu = std::max(2, static_cast<int>(std::lround(tokens / 2)) * 2);
    u.prompt_len = std::max(1, static_cast<int>(std::lround(length)));
    return best(prefill_cluster, u);
  };
  auto price_decode = [&d, decode_cluster, best](double requests, double kv) {
    InferenceSpec u = d.unit;
    u.requests_per_gpu = std::max(1, static_cast<int>(std::lround(requests)));
    u.deployment.two_micro_batch = u.deployment.two_micro_batch && u.requests_per_gpu >= 2;
    u.kv_len = u.kv_len_max = std::max(1, static_cast<int>(std::lround(kv)));
    return best(decode_cluster, u);
  };
  prefill_ = std::make_unique<StepSurface>(price_prefill, axis(1, p.tokens_per_gpu, 2),
                                           axis(16, std::max(16, max_prompt), 2));
  decode_ = std::make_unique<StepSurface>(price_decode, axis(1, d.max_requests_per_gpu, 2),
                                          axis(16, std::max(16, max_context), 2));
  std::mt19937_64 rng(s.prices.check_seed);
  prefill_error = prefill_->check(s.prices.check_points, rng, false);
  decode_error = decode_->check(s.prices.check_points, rng, true);  // requests per GPU are whole
}

double StepPrices::prefill_s(double tokens_per_gpu, double attention_len) {
  return fixed() ? spec_.prices.prefill_s : (*prefill_)(tokens_per_gpu, attention_len);
}

double StepPrices::decode_s(double requests_per_gpu, double mean_kv) {
  return fixed() ? spec_.prices.decode_s : (*decode_)(requests_per_gpu, mean_kv);
}

int StepPrices::simulations() const { return fixed() ? 0 : prefill_->simulations() + decode_->simulations(); }

}  // namespace v3sim::models
