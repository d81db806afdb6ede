#include "report/sweep_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report/html_escape.hpp"
#include "report/time_axis.hpp"

namespace v3sim::report {

std::string field_unit(const std::string& f) {
  auto ends = [&](const char* s) { return f.ends_with(s); };
  if (ends("per_s")) return "per s";
  if (ends("_ms")) return "ms";
  if (ends("_s")) return "s";
  if (ends("_gb")) return "GB (10^9 bytes)";
  if (ends("_bytes") || ends("/bytes")) return "bytes";
  if (f.find("fraction") != std::string::npos) return "fraction";
  if (f.find("mfu") != std::string::npos) return "fraction of peak";
  return "";
}

std::vector<std::string> chart_palette(std::size_t n) {
  static const char* base[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                               "#edc948", "#b07aa1", "#9c755f", "#ff9da7", "#bab0ac"};
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(n <= 10 ? base[i]
                          : fmt::format("hsl({:.1f},{}%,{}%)", 360.0 * static_cast<double>(i) / static_cast<double>(n),
                                        i % 2 ? 55 : 70, i % 3 == 0 ? 42 : 52));
  return out;
}

bool numeric_axis(const models::StudyAxis& axis) {
  return std::all_of(axis.values.begin(), axis.values.end(), [](const nlohmann::json& v) { return v.is_number(); });
}

std::string sweep_chart(const models::Study& s, const std::vector<models::PointResult>& rows, std::size_t f,
                        std::size_t a, std::size_t best) {
  // (series key, its (x index, y, row index) points), in the order the
  // study lists the other axes' values (rows are in point order), not as
  // text sorts ("16" would come before "4").
  std::vector<std::pair<std::string, std::vector<std::tuple<std::size_t, double, std::size_t>>>> series;
  std::map<std::string, std::size_t> series_of;
  double lo = 1e300, hi = -1e300;
  const auto& vals = s.axes[a].values;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].ok || !rows[i].fields[f].is_number()) continue;
    std::string key;
    for (std::size_t o = 0; o < s.axes.size(); ++o)
      if (o != a) key += (key.empty() ? "" : ", ") + s.axes[o].pointer + " = " + rows[i].values[o].dump();
    const std::size_t x = static_cast<std::size_t>(std::find(vals.begin(), vals.end(), rows[i].values[a]) - vals.begin());
    const double y = rows[i].fields[f].get<double>();
    if (key.empty()) key = "all points";
    auto [at, added] = series_of.try_emplace(key, series.size());
    if (added) series.push_back({key, {}});
    series[at->second].second.push_back({x, y, i});
    lo = std::min(lo, y);
    hi = std::max(hi, y);
  }
  if (series.empty()) return "";
  const bool bars = !numeric_axis(s.axes[a]);
  if (bars) lo = std::min(lo, 0.0);  // bars start at zero, or their lengths mislead
  if (hi <= lo) hi = lo + (lo == 0 ? 1 : std::abs(lo) * 0.1);
  int decimals = 0;
  const std::vector<double> ticks = nice_ticks(lo, hi, 5, &decimals);
  lo = std::min(lo, ticks.front());
  hi = std::max(hi, ticks.back());
  const double w = 560, h = 260, left = 80, top = 20;
  const std::size_t nx = std::max<std::size_t>(1, vals.size()), ns = series.size();
  const double slot = w / static_cast<double>(nx);
  auto px = [&](std::size_t x) { return left + slot * (static_cast<double>(x) + 0.5); };
  auto py = [&](double y) { return top + h - h * (y - lo) / (hi - lo); };
  const std::vector<std::string> colours = chart_palette(ns);
  const double legend_h = 14.0 * static_cast<double>(ns);
  std::string svg = fmt::format(R"(<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{:.0f}" height="{:.0f}" )"
                                R"(font-family="sans-serif" font-size="11">)",
                                left + w + 20, top + h + 56 + legend_h);
  svg += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="#fafafa" stroke="#ccc"/>)", left, top, w, h);
  for (const double t : ticks)
    svg += fmt::format(R"(<line x1="{0}" x2="{1}" y1="{2:.1f}" y2="{2:.1f}" stroke="#e4e4e4"/>)"
                       R"(<text x="{3}" y="{4:.1f}" text-anchor="end">{5:.{6}f}</text>)",
                       left, left + w, py(t), left - 4, py(t) + 3, t, decimals);
  const std::string unit = field_unit(s.fields[f]);
  svg += fmt::format(R"X(<text transform="translate(14,{:.0f}) rotate(-90)" text-anchor="middle">{}{}</text>)X", top + h / 2,
                     html_escape(s.fields[f]), unit.empty() ? "" : " (" + html_escape(unit) + ")");
  for (std::size_t x = 0; x < vals.size(); ++x)
    svg += fmt::format(R"(<text x="{:.1f}" y="{:.0f}" text-anchor="middle">{}</text>)", px(x), top + h + 16,
                       html_escape(vals[x].is_string() ? vals[x].get<std::string>() : vals[x].dump()));
  svg += fmt::format(R"(<text x="{:.0f}" y="{:.0f}" text-anchor="middle">{}{}</text>)", left + w / 2, top + h + 34,
                     html_escape(s.axes[a].pointer), bars ? " (categories)" : "");
  const bool ring = best < rows.size() && s.fields[f] == s.objective;
  std::size_t c = 0;
  const double bar_w = slot * 0.8 / static_cast<double>(ns);
  for (auto& [key, pts] : series) {
    std::sort(pts.begin(), pts.end());
    const std::string& col = colours[c];
    if (bars) {
      for (const auto& [x, y, i] : pts) {
        const double bx = left + slot * (static_cast<double>(x) + 0.1) + bar_w * static_cast<double>(c);
        const double y0 = py(std::max(lo, 0.0)), y1 = py(y);
        svg += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"><title>{}: {:.6g}</title></rect>)",
                           bx, std::min(y0, y1), bar_w, std::abs(y0 - y1), col, html_escape(key), y);
        if (ring && i == best)
          svg += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="none" stroke="#d00" stroke-width="2"><title>best point</title></rect>)",
                             bx - 1, std::min(y0, y1) - 1, bar_w + 2, std::abs(y0 - y1) + 2);
      }
    } else {
      std::string path;
      for (const auto& [x, y, i] : pts) path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L", px(x), py(y));
      svg += fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="1.5"><title>{}</title></path>)", path, col,
                         html_escape(key));
      for (const auto& [x, y, i] : pts) {
        svg += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="2.5" fill="{}"><title>{}: {:.6g}</title></circle>)", px(x),
                           py(y), col, html_escape(key), y);
        if (ring && i == best)
          svg += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="6" fill="none" stroke="#d00" stroke-width="2"><title>best point</title></circle>)",
                             px(x), py(y));
      }
    }
    const double ly = top + h + 52 + 14.0 * static_cast<double>(c);
    svg += fmt::format(R"(<rect x="{}" y="{:.0f}" width="10" height="10" fill="{}"/><text x="{}" y="{:.0f}">{}</text>)", left,
                       ly - 9, col, left + 14, ly, html_escape(key));
    ++c;
  }
  return svg + "</svg>";
}

}  // namespace v3sim::report
