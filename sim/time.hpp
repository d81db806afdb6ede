#pragma once
// Simulated time: an exact integer count of nanoseconds, so that runs are
// deterministic and sums of durations never drift. The clock covers 2^62 ns
// (about 146 years); a conversion or an event beyond that is an error rather
// than a silent wrap into negative time.
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace v3sim::sim {

using Time = std::int64_t;  // nanoseconds

inline constexpr Time kNanosPerMilli = 1'000'000;
inline constexpr Time kMaxTime = Time{1} << 62;

class TimeRangeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline Time checked_time(double ns) {
  if (!(std::fabs(ns) <= static_cast<double>(kMaxTime)))
    throw TimeRangeError("a duration of " + std::to_string(ns * 1e-9) +
                         " s is outside the simulated clock's range (2^62 ns, about 146 years)");
  return static_cast<Time>(std::llround(ns));
}

// Milliseconds to simulated time, rounded to the nearest nanosecond.
inline Time from_ms(double ms) { return checked_time(ms * static_cast<double>(kNanosPerMilli)); }

inline double to_ms(Time t) { return static_cast<double>(t) / kNanosPerMilli; }

inline Time from_seconds(double s) { return checked_time(s * 1e9); }
inline double to_seconds(Time t) { return static_cast<double>(t) * 1e-9; }

// now + d, refusing to pass the end of the clock.
inline Time later(Time now, Time d) {
  if (d > kMaxTime - now) throw TimeRangeError("the simulation runs past the simulated clock's range (2^62 ns, about 146 years)");
  return now + d;
}

}  // namespace v3sim::sim
