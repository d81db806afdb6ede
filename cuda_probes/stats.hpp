#pragma once
// Summary statistics of repeated timings, in seconds. The median is the number
// to use; the spread (min, max, 10th and 90th percentile) says how far to trust it.
#include <vector>

#include "json_writer.hpp"

namespace v3sim::probes {

struct Timing {
  double median_s = 0;
  double min_s = 0;
  double max_s = 0;
  double p10_s = 0;
  double p90_s = 0;
  int runs = 0;
};

// Percentiles interpolate linearly between order statistics (numpy's default).
// Throws std::invalid_argument for an empty sample.
Timing summarize(std::vector<double> seconds);

// The `q`-quantile (0 <= q <= 1) of `sorted`, which must be sorted and non-empty.
double quantile(const std::vector<double>& sorted, double q);

// Adds median_s, min_s, max_s, p10_s, p90_s and runs to a case.
void add_timing(JsonObject& json, const Timing& t);

}  // namespace v3sim::probes
