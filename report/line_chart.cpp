#include "report/line_chart.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "report/html_escape.hpp"
#include "report/sweep_chart.hpp"

namespace v3sim::report {
namespace {

constexpr double kWidth = 640, kHeight = 220, kLeft = 70, kRight = 150, kTop = 24, kBottom = 36;

// A round step giving about five ticks up to `max`.
double tick_step(double max) {
  const double raw = max / 5;
  const double p = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * p) return m * p;
  return 10 * p;
}

}  // namespace

std::string line_chart(const std::string& title, const std::string& x_label, const std::vector<double>& x,
                       const std::vector<LineSeries>& series, const std::string& y_label) {
  if (x.empty()) return "";
  double ymax = 0;
  for (const LineSeries& s : series)
    for (double v : s.y)
      if (std::isfinite(v)) ymax = std::max(ymax, v);
  if (ymax <= 0) ymax = 1;
  const double step = tick_step(ymax);
  ymax = std::ceil(ymax / step) * step;
  const double x0 = x.front(), x1 = x.back() > x.front() ? x.back() : x.front() + 1;
  const double w = kWidth - kLeft - kRight, h = kHeight - kTop - kBottom;
  auto px = [&](double v) { return kLeft + (v - x0) / (x1 - x0) * w; };
  auto py = [&](double v) { return kTop + h - v / ymax * h; };
  std::string svg = fmt::format("<h3>{}</h3>\n<svg width=\"{}\" height=\"{}\" font-size=\"11\">\n", html_escape(title), kWidth, kHeight);
  for (double t = 0; t <= ymax + step / 2; t += step) {
    svg += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#eee\"/>", kLeft, kLeft + w, py(t), py(t));
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{:g}</text>\n", kLeft - 4, py(t) + 4, t);
  }
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", kLeft + w / 2, kHeight - 6, html_escape(x_label));
  svg += fmt::format("<text x=\"12\" y=\"{:.1f}\" transform=\"rotate(-90 12 {:.1f})\" text-anchor=\"middle\">{}</text>\n",
                     kTop + h / 2, kTop + h / 2, html_escape(y_label));
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{:g}</text><text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{:g}</text>\n",
                     kLeft, kTop + h + 14, x0, kLeft + w, kTop + h + 14, x1);
  const std::vector<std::string> colours = chart_palette(series.size());
  for (std::size_t k = 0; k < series.size(); ++k) {
    std::string points;
    for (std::size_t i = 0; i < x.size() && i < series[k].y.size(); ++i)
      if (std::isfinite(series[k].y[i])) points += fmt::format("{:.1f},{:.1f} ", px(x[i]), py(series[k].y[i]));
    svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" points=\"{}\"/>\n", colours[k], points);
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n",
                       kLeft + w + 10, kTop + 14.0 * k, colours[k], kLeft + w + 24, kTop + 14.0 * k + 9, html_escape(series[k].name));
  }
  return svg + "</svg>\n";
}

}  // namespace v3sim::report
