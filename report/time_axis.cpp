#include "report/time_axis.hpp"

#include <fmt/format.h>

#include <cmath>

#include "report/html_escape.hpp"

namespace v3sim::report {

double nice_step(double raw) {
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / p;
  // Rounding (not ceiling) keeps the tick count near the target either way.
  const double n = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  return n * p;
}

std::vector<double> nice_ticks(double lo, double hi, int target, int* decimals) {
  if (!(hi > lo)) hi = lo + 1;
  const double span = hi - lo, step = nice_step(span / target);
  if (decimals) *decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  std::vector<double> out;
  // Integer multiples, so no drift accumulates over many ticks.
  for (long long k = static_cast<long long>(std::ceil(lo / step - 1e-9));; ++k) {
    const double t = static_cast<double>(k) * step;
    if (t > hi + 1e-9 * span) break;
    out.push_back(t);
  }
  return out;
}

std::string TimeAxis::label(double t_ms) const {
  double v = seconds ? t_ms / 1000 : t_ms;
  if (std::abs(v) < 0.5 * std::pow(10.0, -decimals)) v = 0;  // never "-0"
  return fmt::format("{:.{}f}", v, decimals);
}

TimeAxis time_axis(double t0_ms, double t1_ms, int target) {
  TimeAxis a;
  a.t0_ms = t0_ms;
  a.t1_ms = t1_ms > t0_ms ? t1_ms : t0_ms + 1;
  const double span = a.t1_ms - a.t0_ms;
  a.step_ms = nice_step(span / target);
  a.seconds = span >= 1000;
  const double step_unit = a.seconds ? a.step_ms / 1000 : a.step_ms;
  a.decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step_unit) - 1e-9)));
  a.ticks_ms = nice_ticks(a.t0_ms, a.t1_ms, target);
  return a;
}

std::string time_axis_svg(const TimeAxis& axis, double x0, double px_per_ms, double top, double bottom,
                          const std::string& title) {
  std::string svg = "<g class=\"axis\" font-size=\"10\" fill=\"#444\">";
  for (const double t : axis.ticks_ms) {
    const double x = x0 + (t - axis.t0_ms) * px_per_ms;
    svg += fmt::format(R"(<line x1="{0:.2f}" x2="{0:.2f}" y1="{1:.1f}" y2="{2:.1f}" stroke="#ddd"/>)"
                       R"(<line x1="{0:.2f}" x2="{0:.2f}" y1="{2:.1f}" y2="{3:.1f}" stroke="#444"/>)"
                       R"(<text x="{0:.2f}" y="{4:.1f}" text-anchor="middle">{5}</text>)",
                       x, top, bottom, bottom + 4, bottom + 14, axis.label(t));
  }
  const double right = x0 + (axis.t1_ms - axis.t0_ms) * px_per_ms;
  svg += fmt::format(R"(<line x1="{:.2f}" x2="{:.2f}" y1="{:.1f}" y2="{:.1f}" stroke="#444"/>)", x0, right, bottom, bottom);
  svg += fmt::format(R"(<text class="axis-title" x="{:.2f}" y="{:.1f}" text-anchor="middle" font-size="11">{} ({})</text>)",
                     (x0 + right) / 2, bottom + 28, html_escape(title), axis.unit());
  return svg + "</g>";
}

}  // namespace v3sim::report
