#include "report/trace_compare_report.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "report/html_page.hpp"

namespace v3sim::report {
namespace {

std::string cell(bool present, double v) { return present ? fmt::format("{:.3f}", v) : "-"; }

const char* colour(const std::string& component) {
  if (component == "attention") return "#8fb8de";
  if (component == "dispatch") return "#f2b880";
  if (component == "mlp") return "#9ccf9c";
  if (component == "combine") return "#e59a9a";
  return "#bbbbbb";
}

}  // namespace

std::string trace_compare_table(const TraceComparison& c) {
  std::string s = fmt::format("{:<13} {:<22} {:>12} {:>12} {:>8}\n", "group", "quantity", "measured ms", "simulated ms",
                              "error");
  for (const ComparedQuantity& q : c.quantities) {
    const std::string err =
        q.measured_present && q.simulated_present && q.measured_ms > 0 ? fmt::format("{:+.1f}%", 100 * q.relative_error())
                                                                        : "";
    s += fmt::format("{:<13} {:<22} {:>12} {:>12} {:>8}\n", q.group, q.name, cell(q.measured_present, q.measured_ms),
                     cell(q.simulated_present, q.simulated_ms), err);
  }
  return s;
}

nlohmann::json trace_compare_json(const TraceComparison& c) {
  nlohmann::json rows = nlohmann::json::array();
  for (const ComparedQuantity& q : c.quantities) {
    nlohmann::json r = {{"group", q.group}, {"name", q.name}};
    r["measured_ms"] = q.measured_present ? nlohmann::json(q.measured_ms) : nlohmann::json(nullptr);
    r["simulated_ms"] = q.simulated_present ? nlohmann::json(q.simulated_ms) : nlohmann::json(nullptr);
    r["relative_error"] = q.measured_present && q.simulated_present && q.measured_ms > 0
                              ? nlohmann::json(q.relative_error())
                              : nlohmann::json(nullptr);
    rows.push_back(r);
  }
  return {{"scenario", c.scenario}, {"trace", c.trace}, {"quantities", rows}};
}

std::string trace_compare_html(const TraceComparison& c) {
  double end = 1;
  for (const auto* bars : {&c.measured, &c.simulated})
    for (const TimelineBar& b : *bars) end = std::max(end, b.end_ms);
  const double width = 1200, left = 150, row_h = 22, axis_h = 30;
  const double scale = (width - left - 10) / end;
  const char* rows[] = {"compute stream", "second compute", "comm stream"};
  std::string svg;
  double y = 10;
  auto draw = [&](const std::string& title, const std::vector<TimelineBar>& bars) {
    svg += fmt::format("<text x=\"4\" y=\"{:.0f}\" font-weight=\"bold\" font-size=\"13\">{}</text>\n", y + 12,
                       html_escape(title));
    y += 18;
    for (int r = 0; r < 3; ++r) {
      svg += fmt::format("<text x=\"4\" y=\"{:.0f}\" font-size=\"11\">{}</text>\n", y + r * row_h + 15, rows[r]);
      svg += fmt::format("<rect x=\"{}\" y=\"{:.0f}\" width=\"{:.0f}\" height=\"{:.0f}\" fill=\"#f7f7f7\"/>\n", left,
                         y + r * row_h, width - left - 10, row_h - 4);
    }
    for (const TimelineBar& b : bars)
      svg += fmt::format(
          "<rect x=\"{:.2f}\" y=\"{:.0f}\" width=\"{:.2f}\" height=\"{:.0f}\" fill=\"{}\"><title>{}</title></rect>\n",
          left + b.start_ms * scale, y + b.row * row_h, std::max(0.3, (b.end_ms - b.start_ms) * scale), row_h - 4,
          colour(b.component), html_escape(fmt::format("{} {:.3f}-{:.3f} ms", b.label, b.start_ms, b.end_ms)));
    y += 3 * row_h + 6;
  };
  draw("measured (profiler trace)", c.measured);
  draw("simulated (v3sim)", c.simulated);
  // One time axis for both.
  const double step = end > 100 ? 10 : end > 20 ? 5 : 1;
  for (double t = 0; t <= end + 1e-9; t += step) {
    const double x = left + t * scale;
    svg += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"10\" y2=\"{1:.0f}\" stroke=\"#ddd\"/>"
                       "<text x=\"{0:.1f}\" y=\"{2:.0f}\" font-size=\"10\" text-anchor=\"middle\">{3:g}</text>\n",
                       x, y, y + 12, t);
  }
  svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" font-size=\"11\">time (ms)</text>\n", left, y + axis_h);
  std::string html = html_page_start("Measured vs simulated chunk pair", c.scenario + " against " + c.trace);
  html += "<div class=\"legend\">";
  for (const char* comp : {"attention", "dispatch", "mlp", "combine"})
    html += fmt::format("<span><i style=\"background:{}\"></i>{}</span>", colour(comp), comp);
  html += "</div>\n";
  html += fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\">\n{}</svg>\n", width,
                      y + axis_h + 10, svg);
  html += "<table><tr><th>group</th><th>quantity</th><th>measured ms</th><th>simulated ms</th><th>error</th></tr>\n";
  for (const ComparedQuantity& q : c.quantities)
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", html_escape(q.group),
                        html_escape(q.name), cell(q.measured_present, q.measured_ms),
                        cell(q.simulated_present, q.simulated_ms),
                        q.measured_present && q.simulated_present && q.measured_ms > 0
                            ? fmt::format("{:+.1f}%", 100 * q.relative_error())
                            : "");
  html += "</table></body></html>\n";
  return html;
}

}  // namespace v3sim::report
