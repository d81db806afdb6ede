#include "models/serving/expert_drift.hpp"

#include <cmath>
#include <numeric>

namespace v3sim::models {

ExpertDrift::ExpertDrift(std::vector<std::vector<double>> base, const DriftSpec& spec)
    : base_(std::move(base)), spec_(spec), rng_(spec.seed) {
  const double stationary_sd =
      spec.reversion_h > 0 ? spec.sigma_per_sqrt_h * std::sqrt(spec.reversion_h / 2) : 0;
  std::normal_distribution<double> z;
  x_.resize(base_.size());
  for (std::size_t l = 0; l < base_.size(); ++l) {
    x_[l].resize(base_[l].size());
    for (double& x : x_[l]) x = stationary_sd > 0 ? stationary_sd * z(rng_) : 0;
  }
}

void ExpertDrift::advance(double dt_h) {
  if (dt_h <= 0 || spec_.sigma_per_sqrt_h <= 0) return;
  const double tau = spec_.reversion_h;
  const double keep = tau > 0 ? std::exp(-dt_h / tau) : 1;
  const double sd = spec_.sigma_per_sqrt_h * (tau > 0 ? std::sqrt(tau / 2 * (1 - keep * keep)) : std::sqrt(dt_h));
  std::normal_distribution<double> z;
  for (auto& row : x_)
    for (double& x : row) x = keep * x + sd * z(rng_);
}

std::vector<std::vector<double>> ExpertDrift::shares() const {
  std::vector<std::vector<double>> out(base_.size());
  for (std::size_t l = 0; l < base_.size(); ++l) {
    std::vector<double>& row = out[l];
    row.resize(base_[l].size());
    for (std::size_t e = 0; e < row.size(); ++e) row[e] = base_[l][e] * std::exp(x_[l][e]);
    const double sum = std::accumulate(row.begin(), row.end(), 0.0);
    for (double& s : row) s /= sum;
  }
  return out;
}

}  // namespace v3sim::models
