#include "calibration/trace_contention.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "calibration/profiler_trace.hpp"

namespace v3sim::calibration {
namespace {

constexpr double kBeside = 0.9;
constexpr double kWithout = 0.1;
constexpr double kMinReferenceUs = 20;

using Intervals = std::vector<std::pair<double, double>>;

// Merged, sorted busy intervals.
Intervals merged(Intervals v) {
  std::sort(v.begin(), v.end());
  Intervals out;
  for (const auto& [s, e] : v) {
    if (!out.empty() && s <= out.back().second)
      out.back().second = std::max(out.back().second, e);
    else
      out.emplace_back(s, e);
  }
  return out;
}

// Share of [a, b) covered by `busy` (merged).
double covered(const Intervals& busy, double a, double b) {
  if (b <= a) return 0;
  auto it = std::lower_bound(busy.begin(), busy.end(), std::make_pair(a, a),
                             [](const auto& x, const auto& y) { return x.second < y.first; });
  double t = 0;
  for (; it != busy.end() && it->first < b; ++it) t += std::min(b, it->second) - std::max(a, it->first);
  return t / (b - a);
}

struct Instance {
  double dur, comm, other;
};

// Pools kernels: for each, its instances in `slowed` against its mean in
// `reference`.
using Kernels = std::map<std::tuple<std::string, std::array<int, 3>, std::int64_t>, std::vector<Instance>>;

template <typename Slowed, typename Reference>
SlowdownReading pool(const Kernels& kernels, const std::map<std::int64_t, StreamRole>& streams, bool main, bool second,
                     Slowed slowed, Reference reference) {
  double num = 0, den = 0;
  SlowdownReading r;
  for (const auto& [key, list] : kernels) {
    const StreamRole role = streams.at(std::get<2>(key));
    if (!(role == StreamRole::kCompute ? main : second)) continue;
    double ref_sum = 0, hit_sum = 0;
    int ref_n = 0, hit_n = 0;
    for (const Instance& i : list) {
      if (reference(i)) ref_sum += i.dur, ++ref_n;
      if (slowed(i)) hit_sum += i.dur, ++hit_n;
    }
    if (ref_n == 0 || hit_n == 0 || ref_sum / ref_n < kMinReferenceUs) continue;
    num += hit_sum;
    den += ref_sum / ref_n * hit_n;
    ++r.kernels;
    r.instances += hit_n;
  }
  if (den > 0) r.ratio = num / den;
  return r;
}

}  // namespace

TraceContention measure_contention(const ProfilerTrace& trace) {
  Intervals comm, main, second;
  auto role_of = [&](std::int64_t s) {
    const auto it = trace.streams.find(s);
    return it == trace.streams.end() ? StreamRole::kOther : it->second;
  };
  for (const TraceKernel& k : trace.kernels) {
    const StreamRole r = role_of(k.stream);
    (r == StreamRole::kComm ? comm : r == StreamRole::kCompute ? main : second).emplace_back(k.start_us, k.start_us + k.dur_us);
  }
  comm = merged(std::move(comm));
  main = merged(std::move(main));
  second = merged(std::move(second));
  Kernels kernels;
  std::map<std::int64_t, StreamRole> streams;
  for (const TraceKernel& k : trace.kernels) {
    const StreamRole r = role_of(k.stream);
    if (r != StreamRole::kCompute && r != StreamRole::kSecondCompute) continue;
    const double a = k.start_us, b = k.start_us + k.dur_us;
    kernels[{k.name, k.grid, k.stream}].push_back(
        {k.dur_us, covered(comm, a, b), covered(r == StreamRole::kCompute ? second : main, a, b)});
    streams[k.stream] = r;
  }
  TraceContention c;
  auto alone = [](const Instance& i) { return i.comm <= kWithout && i.other <= kWithout; };
  auto by_comm = [](const Instance& i) { return i.comm >= kBeside && i.other <= kWithout; };
  auto by_both = [](const Instance& i) { return i.comm >= kBeside && i.other >= kBeside; };
  c.beside_comm = pool(kernels, streams, true, true, by_comm, alone);
  c.main_beside_second = pool(kernels, streams, true, false, by_both, by_comm);
  c.second_beside_main = pool(kernels, streams, false, true, by_both, by_comm);
  return c;
}

}  // namespace v3sim::calibration
