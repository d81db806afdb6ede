#include "report/trace_compare_report.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "report/html_page.hpp"
#include "report/timeline_svg.hpp"

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

namespace {

// One run's bars as three lanes, on the scale both runs share.
Timeline bars_timeline(const std::vector<TimelineBar>& bars, double scale_ms) {
  static const char* const kRows[] = {"compute stream", "second compute", "comm stream"};
  Timeline t;
  t.group = "trace";
  t.scale_ms = scale_ms;
  t.left_px = 120;
  for (int row = 0; row < 3; ++row) {
    TimelineLane lane;
    lane.label = kRows[row];
    lane.comm = row == 2;
    for (const TimelineBar& b : bars) {
      if (b.row != row) continue;
      t.span_ms = std::max(t.span_ms, b.end_ms);
      lane.items.push_back({b.start_ms, b.end_ms, b.component.empty() ? "other" : b.component, colour(b.component), "",
                            fmt::format("{}\n{:.3f} to {:.3f} ms", b.label, b.start_ms, b.end_ms)});
    }
    std::stable_sort(lane.items.begin(), lane.items.end(),
                     [](const TimelineItem& a, const TimelineItem& b) { return a.start_ms < b.start_ms; });
    t.lanes.push_back(std::move(lane));
  }
  return t;
}

}  // namespace

std::string trace_compare_html(const TraceComparison& c) {
  double end = 0;
  for (const auto* bars : {&c.measured, &c.simulated})
    for (const TimelineBar& b : *bars) end = std::max(end, b.end_ms);
  std::string html = html_page_start("Measured vs simulated chunk pair", c.scenario + " against " + c.trace);
  html += "<div class=\"legend\">";
  for (const char* comp : {"attention", "dispatch", "mlp", "combine"})
    html += fmt::format("<span><i style=\"background:{}\"></i>{}</span>", colour(comp), comp);
  html += "</div>\n" + timeline_controls("trace") + "\n";
  TimelineStats stats;
  html += "<h3>measured (profiler trace)</h3>\n" + draw_timeline(bars_timeline(c.measured, end), &stats) + "\n";
  html += "<h3>simulated (v3sim)</h3>\n" + draw_timeline(bars_timeline(c.simulated, end), &stats) + "\n";
  html += aggregation_note(stats, "the profiler trace holds every measured kernel, and v3sim run on the scenario "
                                 "writes every simulated one to trace.json");
  html += "<table><tr><th>group</th><th>quantity</th><th>measured ms</th><th>simulated ms</th><th>error</th></tr>\n";
  for (const ComparedQuantity& q : c.quantities)
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", html_escape(q.group),
                        html_escape(q.name), cell(q.measured_present, q.measured_ms),
                        cell(q.simulated_present, q.simulated_ms),
                        q.measured_present && q.simulated_present && q.measured_ms > 0
                            ? fmt::format("{:+.1f}%", 100 * q.relative_error())
                            : "");
  html += "</table>\n";
  return html + html_page_end();
}

}  // namespace v3sim::report
