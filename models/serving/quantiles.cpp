#include "models/serving/quantiles.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace v3sim::models {
namespace {

constexpr std::int64_t kNonPositive = std::numeric_limits<std::int64_t>::min();

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

Quantiles::Quantiles(std::size_t exact_limit, double bin_ratio)
    : exact_limit_(exact_limit), bin_ratio_(bin_ratio), log_ratio_(std::log(bin_ratio)) {}

std::int64_t Quantiles::bin(double v) const {
  return v > 0 ? static_cast<std::int64_t>(std::floor(std::log(v) / log_ratio_)) : kNonPositive;
}

double Quantiles::bin_value(std::int64_t b) const {
  return b == kNonPositive ? 0 : std::exp((static_cast<double>(b) + 0.5) * log_ratio_);
}

void Quantiles::count_in_bin(double v) {
  const std::int64_t b = bin(v);
  if (b == kNonPositive) {
    ++non_positive_;
    return;
  }
  if (counts_.empty()) first_bin_ = b;
  if (b < first_bin_) {
    counts_.insert(counts_.begin(), static_cast<std::size_t>(first_bin_ - b), 0);
    first_bin_ = b;
  }
  const auto i = static_cast<std::size_t>(b - first_bin_);
  if (i >= counts_.size()) counts_.resize(i + 1, 0);
  ++counts_[i];
}

void Quantiles::fold() {
  binned_ = true;
  for (double v : values_) count_in_bin(v);
  std::vector<double>().swap(values_);
}

void Quantiles::add(double v) {
  ++count_;
  sum_ += v;
  if (binned_) {
    count_in_bin(v);
    return;
  }
  values_.push_back(v);
  if (values_.size() > exact_limit_) fold();
}

Distribution Quantiles::distribution() const {
  if (!binned_) return models::distribution(values_);
  Distribution d;
  d.count = count_;
  d.mean = sum_ / static_cast<double>(count_);
  // Nearest rank: the bin holding the ceil(p n)-th smallest value.
  auto rank = [&](double p) {
    const long long k = std::max<long long>(1, static_cast<long long>(std::ceil(p * static_cast<double>(count_))));
    long long seen = non_positive_;
    if (seen >= k || counts_.empty()) return bin_value(kNonPositive);
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= k) return bin_value(first_bin_ + static_cast<std::int64_t>(i));
    }
    return bin_value(first_bin_ + static_cast<std::int64_t>(counts_.size()) - 1);
  };
  d.p50 = rank(0.50);
  d.p90 = rank(0.90);
  d.p99 = rank(0.99);
  return d;
}

}  // namespace v3sim::models
