#pragma once
// Simulated time: an exact integer count of nanoseconds, so that runs are
// deterministic and sums of durations never drift.
#include <cmath>
#include <cstdint>

namespace v3sim::sim {

using Time = std::int64_t;  // nanoseconds

inline constexpr Time kNanosPerMilli = 1'000'000;

// Milliseconds to simulated time, rounded to the nearest nanosecond.
inline Time from_ms(double ms) { return static_cast<Time>(std::llround(ms * kNanosPerMilli)); }

inline double to_ms(Time t) { return static_cast<double>(t) / kNanosPerMilli; }

inline Time from_seconds(double s) { return static_cast<Time>(std::llround(s * 1e9)); }
inline double to_seconds(Time t) { return static_cast<double>(t) * 1e-9; }

}  // namespace v3sim::sim
