#include "models/serving/step_prices.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

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

// The load factor's batches: from `hi` down by 8x, and `lo`; ascending.
std::vector<double> factor_axis(double lo, double hi) {
  std::vector<double> v{hi};
  while (v.back() / 8 >= lo) v.push_back(v.back() / 8);
  if (v.back() > lo) v.push_back(lo);
  std::reverse(v.begin(), v.end());
  return v;
}

}  // namespace

StepSurface::StepSurface(Price price, std::vector<double> xs, std::vector<double> ys, int samples, std::uint64_t seed)
    : price_(std::move(price)),
      xs_(std::move(xs)),
      ys_(std::move(ys)),
      sample_(static_cast<std::size_t>(samples), seed) {
  for (double x : xs_) log_xs_.push_back(std::log(x));
  for (double y : ys_) log_ys_.push_back(std::log(y));
  nodes_.assign(xs_.size() * ys_.size(), std::numeric_limits<double>::quiet_NaN());
}

double StepSurface::log_node(std::size_t i, std::size_t j) {
  double& node = nodes_[i * ys_.size() + j];
  if (!std::isnan(node)) return node;
  ++simulations_;
  return node = std::log(price_(xs_[i], ys_[j]));
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
  sample_.offer({x, y});
  return interpolate(x, y);
}

double StepSurface::interpolate(double x, double y) {
  // The first x node is the smallest batch the step model distinguishes.
  x = std::max(x, xs_.front());
  if (y < ys_.front()) return direct(x, y);
  x = std::min(x, xs_.back());
  y = std::min(y, ys_.back());
  auto cell = [](const std::vector<double>& a, const std::vector<double>& log_a, double v) {
    const std::size_t hi = static_cast<std::size_t>(std::upper_bound(a.begin(), a.end(), v) - a.begin());
    const std::size_t i = std::min(hi == 0 ? 0 : hi - 1, a.size() - 1);
    const std::size_t j = std::min(i + 1, a.size() - 1);
    const double w = j == i ? 0 : (std::log(v) - log_a[i]) / (log_a[j] - log_a[i]);
    return std::make_tuple(i, j, w);
  };
  // Whole-number x (decode's requests per GPU) comes up at every step of
  // every GPU: its cell is kept.
  const bool whole = x == std::floor(x) && x < 4096;
  if (whole && x >= static_cast<double>(x_cells_.size())) x_cells_.resize(static_cast<std::size_t>(x) + 1, {0, 0, -1});
  if (whole && std::get<2>(x_cells_[static_cast<std::size_t>(x)]) < 0) x_cells_[static_cast<std::size_t>(x)] = cell(xs_, log_xs_, x);
  const auto [i0, i1, wx] = whole ? x_cells_[static_cast<std::size_t>(x)] : cell(xs_, log_xs_, x);
  const auto [j0, j1, wy] = cell(ys_, log_ys_, y);
  const double l00 = log_node(i0, j0), l10 = log_node(i1, j0);
  const double l01 = log_node(i0, j1), l11 = log_node(i1, j1);
  return std::exp((1 - wx) * (1 - wy) * l00 + wx * (1 - wy) * l10 + (1 - wx) * wy * l01 + wx * wy * l11);
}

namespace {

void add(PriceError& e, double approx, double exact) {
  const double rel = std::abs(approx - exact) / exact;
  e.max_relative = std::max(e.max_relative, rel);
  e.mean_relative += rel;
  ++e.points;
}

}  // namespace

PriceError StepSurface::compare(const Price& approx, const Price& exact, int points) {
  PriceError e;
  for (std::size_t k = 0; k < sample_.items().size() && e.points < points; ++k) {
    const auto [x, y] = sample_.items()[k];
    simulations_ += 2;
    add(e, approx(x, y), exact(x, y));
  }
  if (e.points > 0) e.mean_relative /= e.points;
  return e;
}

PriceError StepSurface::check(int points) {
  PriceError e;
  for (std::size_t k = 0; k < sample_.items().size() && e.points < points; ++k) {
    const auto [x, y] = sample_.items()[k];
    const double interpolated = interpolate(x, y);
    ++simulations_;
    add(e, interpolated, price_(x, y));
  }
  if (e.points > 0) e.mean_relative /= e.points;
  return e;
}

StepPrices::StepPrices(const ServingSpec& s, int max_prompt, int max_context)
    : spec_(s), rank_sample_(static_cast<std::size_t>(s.prices.envelope_check_points), s.prices.check_seed + 2) {
  if (s.prices.fixed) return;
  const ClusterConfig prefill_cluster = pricing_cluster(s.prefill.cluster);
  const ClusterConfig decode_cluster = pricing_cluster(s.decode.cluster);
  const PoolSpec& p = s.prefill;
  const PoolSpec& d = s.decode;
  // A unit overlaps two micro-batches only where that is faster: at small
  // batches the second pass over the weights costs more than it hides.
  prefill_loads_ = std::make_unique<StepLoadCache>();
  decode_loads_ = std::make_unique<StepLoadCache>();
  auto best = [](const ClusterConfig& c, InferenceSpec u, StepLoadCache* loads) {
    const double one = [&] {
      InferenceSpec v = u;
      v.deployment.two_micro_batch = false;
      return simulate_inference(c, v, false, loads).step_s;
    }();
    return u.deployment.two_micro_batch ? std::min(one, simulate_inference(c, u, false, loads).step_s) : one;
  };
  auto prefill_unit = [&p](double tokens, double length, bool envelope) {
    InferenceSpec u = p.unit;
    u.tokens_per_gpu = std::max(2, static_cast<int>(std::lround(tokens / 2)) * 2);
    u.prompt_len = std::max(1, static_cast<int>(std::lround(length)));
    u.layer_envelope = envelope;
    return u;
  };
  auto decode_unit = [&d](double requests, double kv, bool envelope) {
    InferenceSpec u = d.unit;
    u.requests_per_gpu = std::max(1, static_cast<int>(std::lround(requests)));
    u.deployment.two_micro_batch = u.deployment.two_micro_batch && u.requests_per_gpu >= 2;
    u.kv_len = u.kv_len_max = std::max(1, static_cast<int>(std::lround(kv)));
    u.layer_envelope = envelope;
    return u;
  };
  const bool envelope = s.prices.envelope;
  StepLoadCache* pl = prefill_loads_.get();
  StepLoadCache* dl = decode_loads_.get();
  // Prefill's step and its exchanges' time on a GPU come from one run (the
  // faster micro-batching's), memoised by the batch as the step model sees it.
  auto prefill_run = [=, runs = &prefill_runs_](double t, double l) {
    const InferenceSpec u = prefill_unit(t, l, envelope);
    const auto key = std::make_pair(u.tokens_per_gpu, u.prompt_len);
    auto it = runs->find(key);
    if (it != runs->end()) return it->second;
    InferenceSpec v = u;
    v.deployment.two_micro_batch = false;
    InferenceResult r = simulate_inference(prefill_cluster, v, false, pl);
    if (u.deployment.two_micro_batch) {
      InferenceResult o = simulate_inference(prefill_cluster, u, false, pl);
      if (o.step_s < r.step_s) r = std::move(o);
    }
    return (*runs)[key] = std::make_pair(r.step_s, r.comm_busy_ms_max * 1e-3);
  };
  auto price_prefill = [prefill_run](double t, double l) { return prefill_run(t, l).first; };
  auto exchange_prefill = [prefill_run](double t, double l) { return prefill_run(t, l).second; };
  // A rank's own compute, from the stages' costs at the unit's micro-batching.
  auto local_prefill = [=](double t, double l) { return rank_local_seconds(prefill_cluster, prefill_unit(t, l, envelope)); };
  auto price_decode = [=](double r, double kv) { return best(decode_cluster, decode_unit(r, kv, envelope), dl); };
  // The envelope against every GPU is measured on the same graph.
  auto prefill_on = [=](bool env) -> StepSurface::Price {
    return [=](double t, double l) { return simulate_inference(prefill_cluster, prefill_unit(t, l, env), false, pl).step_s; };
  };
  auto decode_on = [=](bool env) -> StepSurface::Price {
    return [=](double r, double kv) { return simulate_inference(decode_cluster, decode_unit(r, kv, env), false, dl).step_s; };
  };
  // A step whose ranks hold their own tokens and attention (sum of c (o + c/2)).
  prefill_ranks_ = [=](const std::vector<double>& tokens, const std::vector<double>& attention) {
    InferenceSpec u = prefill_unit(*std::max_element(tokens.begin(), tokens.end()), 16, envelope);
    for (std::size_t r = 0; r < tokens.size(); ++r) {
      const int t = static_cast<int>(std::lround(tokens[r]));
      u.prefill_ranks.emplace_back(t, t > 0 ? std::max(1, static_cast<int>(std::lround(2 * attention[r] / tokens[r]))) : 1);
    }
    return best(prefill_cluster, u, nullptr);
  };
  prefill_envelope_ = prefill_on(true);
  prefill_whole_ = prefill_on(false);
  decode_envelope_ = decode_on(true);
  decode_whole_ = decode_on(false);
  // Prefill's tokens per GPU go in twos (one per micro-batch), decode's
  // requests in ones: the x axes start there.
  const int samples = std::max(s.prices.check_points, s.prices.envelope_check_points);
  prefill_ = std::make_unique<StepSurface>(price_prefill, axis(2, p.tokens_per_gpu, 2),
                                           axis(16, std::max(16, max_prompt), 2), samples, s.prices.check_seed);
  prefill_exchange_ = std::make_unique<StepSurface>(exchange_prefill, axis(2, p.tokens_per_gpu, 2),
                                                    axis(16, std::max(16, max_prompt), 2), 0, 0);
  prefill_local_ = std::make_unique<StepSurface>(local_prefill, axis(2, p.tokens_per_gpu, 2),
                                                 axis(16, std::max(16, max_prompt), 2), 0, 0);
  decode_ = std::make_unique<StepSurface>(price_decode, axis(1, d.max_requests_per_gpu, 2),
                                          axis(16, std::max(16, max_context), 2), samples, s.prices.check_seed + 1);
  // The load factor's prices: the faster micro-batching under a given load.
  factors_[0].price = [=](double t, double l, const ExpertLoadSpec* load, StepLoadCache* cache) {
    InferenceSpec u = prefill_unit(t, l, envelope);
    if (load) u.load = *load;
    return best(prefill_cluster, u, cache);
  };
  factors_[1].price = [=](double r, double kv, const ExpertLoadSpec* load, StepLoadCache* cache) {
    InferenceSpec u = decode_unit(r, kv, envelope);
    if (load) u.load = *load;
    return best(decode_cluster, u, cache);
  };
  factors_[0].xs = factor_axis(2, p.tokens_per_gpu);
  factors_[1].xs = factor_axis(1, d.max_requests_per_gpu);
  factors_[0].y = std::min(4096, std::max(16, max_prompt));
  factors_[1].y = std::min(4096, std::max(16, max_context));
  factors_[0].own_loads = pl;
  factors_[1].own_loads = dl;
  for (LoadFactor& f : factors_) f.own.assign(f.xs.size(), std::numeric_limits<double>::quiet_NaN());
  // The NIC's bytes scale with the tokens sent (each to the same spread of
  // nodes and GPUs): one step at the full batch gives the rate.
  const InferenceSpec pu = prefill_unit(p.tokens_per_gpu, std::min(4096, std::max(16, max_prompt)), envelope);
  prefill_nic_bytes_per_token = simulate_inference(prefill_cluster, pu, false, pl).nic_bytes_per_gpu / pu.tokens_per_gpu;
  const InferenceSpec du = decode_unit(d.max_requests_per_gpu, std::min(4096, std::max(16, max_context)), envelope);
  decode_nic_bytes_per_request = simulate_inference(decode_cluster, du, false, dl).nic_bytes_per_gpu / du.requests_per_gpu;
}

void StepPrices::check() {
  if (fixed()) return;
  prefill_error = prefill_->check(spec_.prices.check_points);
  decode_error = decode_->check(spec_.prices.check_points);
  for (const auto& [tokens, attention] : rank_sample_.items())
    add(prefill_ranks_error, prefill_price(tokens, attention), prefill_ranks_(tokens, attention));
  if (prefill_ranks_error.points > 0) prefill_ranks_error.mean_relative /= prefill_ranks_error.points;
  for (PriceError& e : load_factor_error)
    if (e.points > 0) e.mean_relative /= e.points;
  if (!spec_.prices.envelope) return;
  const int n = spec_.prices.envelope_check_points;
  prefill_envelope_error = prefill_->compare(prefill_envelope_, prefill_whole_, n);
  decode_envelope_error = decode_->compare(decode_envelope_, decode_whole_, n);
}

double StepPrices::prefill_s(const std::vector<double>& tokens, const std::vector<double>& attention) {
  if (fixed()) return spec_.prices.prefill_s;
  rank_sample_.offer({tokens, attention});
  const double price = prefill_price(tokens, attention);
  if (!load_ || price <= 0) return price;
  double sum = 0, attention_sum = 0;
  for (std::size_t r = 0; r < tokens.size(); ++r) sum += tokens[r], attention_sum += attention[r];
  return price * load_factor(0, sum / static_cast<double>(tokens.size()), 2 * attention_sum / sum);
}

double StepPrices::load_factor(int pool, double x, double y) {
  LoadFactor& f = factors_[static_cast<std::size_t>(pool)];
  f.last_query = {x, y};
  const auto log_ratio = [&](std::size_t i) {
    if (std::isnan(f.own[i])) f.own[i] = f.price(f.xs[i], f.y, nullptr, f.own_loads), ++load_simulations[static_cast<std::size_t>(pool)];
    if (std::isnan(f.now[i])) f.now[i] = f.price(f.xs[i], f.y, load_.get(), f.loads.get()), ++load_simulations[static_cast<std::size_t>(pool)];
    return std::log(f.now[i] / f.own[i]);
  };
  x = std::clamp(x, f.xs.front(), f.xs.back());
  const std::size_t j = std::min<std::size_t>(static_cast<std::size_t>(std::lower_bound(f.xs.begin(), f.xs.end(), x) - f.xs.begin()), f.xs.size() - 1);
  const std::size_t i = j == 0 ? 0 : j - 1;
  if (i == j || x == f.xs[j]) return std::exp(log_ratio(j));
  const double w = std::log(x / f.xs[i]) / std::log(f.xs[j] / f.xs[i]);
  return std::exp((1 - w) * log_ratio(i) + w * log_ratio(j));
}

void StepPrices::set_expert_load(std::shared_ptr<const std::vector<std::vector<double>>> shares,
                                 std::shared_ptr<const std::vector<std::vector<double>>> plan, bool check) {
  if (fixed()) return;
  for (std::size_t k = 0; k < factors_.size() && check && load_; ++k) {
    LoadFactor& f = factors_[k];
    const auto [x, y] = f.last_query;
    if (x <= 0) continue;
    const double approx = f.price(x, y, nullptr, f.own_loads) * load_factor(static_cast<int>(k), x, y);
    add(load_factor_error[k], approx, f.price(x, y, load_.get(), f.loads.get()));
    load_simulations[k] += 2;
  }
  load_ = std::make_unique<ExpertLoadSpec>(spec_.prefill.unit.load);
  load_->shares = std::move(shares);
  load_->plan_shares = std::move(plan);
  for (LoadFactor& f : factors_) {
    f.now.assign(f.xs.size(), std::numeric_limits<double>::quiet_NaN());
    f.loads = std::make_unique<StepLoadCache>();
    f.last_query = {0, 0};
  }
}

double StepPrices::prefill_price(const std::vector<double>& tokens, const std::vector<double>& attention) {
  double sum = 0, attention_sum = 0;
  for (std::size_t r = 0; r < tokens.size(); ++r) {
    sum += tokens[r];
    attention_sum += attention[r];
  }
  if (sum <= 0) return 0;
  const double mean = sum / static_cast<double>(tokens.size()), mean_len = 2 * attention_sum / sum;
  // The busiest rank's own work beyond the mean rank's, on the critical path.
  double slowest = 0, sends = 0;
  for (std::size_t r = 0; r < tokens.size(); ++r) {
    if (tokens[r] <= 0) continue;
    slowest = std::max(slowest, (*prefill_local_)(tokens[r], 2 * attention[r] / tokens[r]));
    sends = std::max(sends, tokens[r]);
  }
  // The exchanges go by the tokens sent, not the prompt's length: one column
  // of the grid, at its shortest prompt.
  const double shortest = 16;
  return (*prefill_)(mean, mean_len) + std::max(0.0, slowest - (*prefill_local_)(mean, mean_len)) +
         std::max(0.0, (*prefill_exchange_)(sends, shortest) - (*prefill_exchange_)(mean, shortest));
}

double StepPrices::decode_s(double requests_per_gpu, double mean_kv) {
  if (fixed()) return spec_.prices.decode_s;
  const double price = (*decode_)(requests_per_gpu, mean_kv);
  return load_ ? price * load_factor(1, requests_per_gpu, mean_kv) : price;
}

int StepPrices::simulations() const { return fixed() ? 0 : prefill_->simulations() + decode_->simulations(); }

}  // namespace v3sim::models
