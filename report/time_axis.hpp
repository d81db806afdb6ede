#pragma once
// A time axis with ticks at round intervals (1, 2 or 5 times a power of ten)
// in ms or s, for every timeline the HTML pages draw. The page's script
// (report/timeline_script.hpp) computes the same ticks when the view is
// zoomed, so the two must agree: keep them in step.
#include <string>
#include <vector>

namespace v3sim::report {

// The round number (1, 2 or 5 x 10^k) nearest to `raw` in the sense of
// Heckbert's "nice numbers for graph labels": 1.4 -> 1, 2.9 -> 2, 6.9 -> 5,
// 7 -> 10. `raw` must be positive.
double nice_step(double raw);

// Round ticks for any linear axis: multiples of nice_step((hi - lo) / target)
// within [lo, hi]; `decimals` gets the digits their labels need.
std::vector<double> nice_ticks(double lo, double hi, int target, int* decimals = nullptr);

struct TimeAxis {
  double t0_ms = 0, t1_ms = 0;  // the span the axis covers
  double step_ms = 0;           // tick interval
  bool seconds = false;         // labels in s (span of 1 s or more), else ms
  std::vector<double> ticks_ms;  // multiples of step_ms within [t0, t1]
  int decimals = 0;              // digits after the point in the labels
  const char* unit() const { return seconds ? "s" : "ms"; }
  std::string label(double t_ms) const;  // "5", "0.25" (no unit)
};

// About `target` intervals over [t0, t1] ms.
TimeAxis time_axis(double t0_ms, double t1_ms, int target = 6);

// Tick marks, gridlines over [top, bottom], labels below `bottom` and the
// axis title ("time (s)") for an axis whose t0 lies at x = `x0` and which
// maps `px_per_ms` pixels to a millisecond. Wrapped in <g class="axis"> so
// the page script can replace it when zoomed.
std::string time_axis_svg(const TimeAxis& axis, double x0, double px_per_ms, double top, double bottom,
                          const std::string& title = "time");

}  // namespace v3sim::report
