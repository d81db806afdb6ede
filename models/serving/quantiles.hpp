#pragma once
// A distribution gathered one value at a time: its mean exactly, and its
// nearest-rank percentiles exactly while it holds at most `exact_limit`
// values; past that the values fold into a histogram of log-spaced bins
// (`bin_ratio` wide) and a percentile is its bin's geometric middle, within
// half a bin (0.25% at the default) of the exact one. A day of a fleet's
// requests then needs kilobytes, not gigabytes.
#include <cstdint>
#include <vector>

namespace v3sim::models {

struct Distribution {
  double mean = 0, p50 = 0, p90 = 0, p99 = 0;
  long long count = 0;
};

class Quantiles {
 public:
  explicit Quantiles(std::size_t exact_limit = std::size_t{1} << 20, double bin_ratio = 1.005);

  void add(double v);
  long long count() const { return count_; }
  // Whether the percentiles are the histogram's (past exact_limit values).
  bool binned() const { return binned_; }
  Distribution distribution() const;
  // Largest relative error of a binned percentile: half a bin.
  double binned_error() const { return (bin_ratio_ - 1) / 2; }

 private:
  std::int64_t bin(double v) const;
  double bin_value(std::int64_t b) const;
  void count_in_bin(double v);
  void fold();

  std::size_t exact_limit_;
  double bin_ratio_, log_ratio_;
  std::vector<double> values_;
  // The histogram, dense (a few thousand bins span microseconds to days):
  // counts_[i] holds bin first_bin_ + i; values <= 0 have a bin of their own.
  bool binned_ = false;
  std::vector<long long> counts_;
  std::int64_t first_bin_ = 0;
  long long non_positive_ = 0;
  long long count_ = 0;
  double sum_ = 0;
};

// The mean and the nearest-rank percentiles of `v`.
Distribution distribution(std::vector<double> v);

}  // namespace v3sim::models
