#include "calibration/rate_fit.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

namespace v3sim::calibration {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Least squares with the cases of SM count <= `split` SM-bound and the rest
// saturated. Returns false when a parameter comes out non-positive. The
// caller scores each split by the full min() model, so a split that
// contradicts the data loses to the one that fits it.
bool fit_split(const std::vector<RateSample>& s, int split, RateModel& out) {
  const bool any_saturated = std::any_of(s.begin(), s.end(), [&](const RateSample& x) { return x.sms > split; });
  const int unknowns = any_saturated ? 3 : 2;
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(s.size()), unknowns);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    a(r, 0) = 1 / s[i].seconds;
    if (s[i].sms <= split)
      a(r, 1) = s[i].bytes / s[i].sms / s[i].seconds;
    else
      a(r, 2) = s[i].bytes / s[i].seconds;
  }
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(a);
  if (qr.rank() < unknowns) return false;
  const Eigen::VectorXd x = qr.solve(Eigen::VectorXd::Ones(a.rows()));
  if (x(0) < 0 || x(1) <= 0 || (any_saturated && x(2) <= 0)) return false;
  out.latency_s = x(0);
  out.per_sm_bytes_per_s = 1 / x(1);
  out.saturated_bytes_per_s = any_saturated ? 1 / x(2) : kInf;
  return true;
}

}  // namespace

double RateModel::seconds(double bytes, int sms) const {
  return latency_s + bytes / std::min(sms * per_sm_bytes_per_s, saturated_bytes_per_s);
}

RateFit evaluate_rate(const RateModel& model, const std::vector<RateSample>& samples) {
  RateFit f;
  f.model = model;
  for (const RateSample& s : samples) {
    const double p = model.seconds(s.bytes, s.sms);
    f.predicted_s.push_back(p);
    f.max_abs_error = std::max(f.max_abs_error, std::abs(p - s.seconds) / s.seconds);
  }
  return f;
}

RateFit fit_rate(const std::vector<RateSample>& samples) {
  std::set<int> counts;
  for (const RateSample& s : samples) {
    if (!(s.seconds > 0) || !(s.bytes > 0) || s.sms < 1)
      throw std::invalid_argument("rate sample '" + s.label + "': needs SMs, bytes and time > 0");
    counts.insert(s.sms);
  }
  if (counts.size() < 2) throw std::invalid_argument("rate samples must span at least two SM counts");
  RateFit best;
  double best_error = kInf;
  for (int split : counts) {
    RateModel m;
    if (!fit_split(samples, split, m)) continue;
    RateFit f = evaluate_rate(m, samples);
    double sq = 0;
    for (std::size_t i = 0; i < samples.size(); ++i) sq += std::pow(f.predicted_s[i] / samples[i].seconds - 1, 2);
    if (sq < best_error) {
      best_error = sq;
      best = std::move(f);
    }
  }
  if (best_error == kInf) throw std::invalid_argument("no SM-bound/saturated split fits the rate samples");
  return best;
}

}  // namespace v3sim::calibration
