#include "stats.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace v3sim::probes {

double quantile(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

Timing summarize(std::vector<double> seconds) {
  if (seconds.empty()) throw std::invalid_argument("summarize: no timings");
  std::sort(seconds.begin(), seconds.end());
  Timing t;
  t.median_s = quantile(seconds, 0.5);
  t.min_s = seconds.front();
  t.max_s = seconds.back();
  t.p10_s = quantile(seconds, 0.1);
  t.p90_s = quantile(seconds, 0.9);
  t.runs = static_cast<int>(seconds.size());
  return t;
}

void add_timing(JsonObject& json, const Timing& t) {
  json.add("median_s", t.median_s)
      .add("min_s", t.min_s)
      .add("max_s", t.max_s)
      .add("p10_s", t.p10_s)
      .add("p90_s", t.p90_s)
      .add("runs", t.runs);
}

}  // namespace v3sim::probes
