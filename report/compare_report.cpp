#include "report/compare_report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "report/html_page.hpp"
#include "report/html_report.hpp"
#include "report/pipeline_timeline.hpp"

namespace v3sim::report {
namespace {

std::string amount(double v, bool bytes) { return bytes ? fmt::format("{:.1f} GB", v / 1e9) : fmt::format("{:g}", v); }

std::string split(const std::vector<int>& layers) {
  std::string s;
  for (int n : layers) s += (s.empty() ? "" : " ") + std::to_string(n);
  return s;
}

bool has_placement(const std::vector<CompareRow>& rows) {
  return std::any_of(rows.begin(), rows.end(), [](const CompareRow& r) { return !r.layers_per_part.empty(); });
}

}  // namespace

double compare_scale_ms(const std::vector<CompareRow>& rows) {
  double longest = 0;
  for (const CompareRow& r : rows)
    if (r.error.empty()) longest = std::max({longest, r.step_s * 1000, sim::to_ms(r.pipeline.step_time)});
  return longest;
}

nlohmann::json compare_json(const std::string& scenario, const std::vector<CompareRow>& rows) {
  nlohmann::json out = {{"scenario", scenario}, {"schedules", nlohmann::json::array()}};
  for (const CompareRow& r : rows) {
    if (!r.error.empty()) {
      out["schedules"].push_back({{"schedule", r.schedule}, {"error", r.error}});
      continue;
    }
    out["schedules"].push_back({{"schedule", r.schedule},
                                {"step_time_s", r.step_s},
                                {"bubble_fraction", r.bubble_fraction},
                                {"max_bubble_s", r.max_bubble_s},
                                {r.bytes ? "peak_activation_bytes_per_rank" : "peak_activation_chunks_per_rank", r.peak_activations},
                                {r.bytes ? "parameter_bytes_per_rank" : "parameter_copies_per_rank", r.parameters}});
    if (!r.layers_per_part.empty())
      out["schedules"].back().update({{"placement", r.placement},
                                      {"layers_per_part", r.layers_per_part},
                                      {"compute_s", {{"min", r.compute_min_s}, {"max", r.compute_max_s}}},
                                      {"max_exposed_comm_s", r.exposed_comm_max_s},
                                      {"max_host_wait_s", r.host_wait_max_s}});
  }
  return out;
}

const std::vector<std::string>& compare_columns() {
  static const std::vector<std::string> columns = {
      "/schedule", "/step_time_s", "/bubble_fraction", "/max_bubble_s", "/peak_activation_bytes_per_rank",
      "/peak_activation_chunks_per_rank", "/parameter_bytes_per_rank", "/parameter_copies_per_rank", "/error"};
  return columns;
}

std::string compare_table(const std::vector<CompareRow>& rows) {
  std::string s = fmt::format("{:<18} {:>12} {:>9} {:>13} {:>22} {:>22}\n", "schedule", "step", "bubble", "max bubble",
                              "peak activations/rank", "parameters/rank");
  for (const CompareRow& r : rows) {
    if (!r.error.empty()) {
      s += fmt::format("{:<18} cannot run: {}\n", r.schedule, r.error);
      continue;
    }
    s += fmt::format("{:<18} {:>10.4f} s {:>8.1f}% {:>11.4f} s {:>22} {:>22}\n", r.schedule, r.step_s,
                     100 * r.bubble_fraction, r.max_bubble_s, amount(r.peak_activations, r.bytes),
                     amount(r.parameters, r.bytes));
  }
  if (!has_placement(rows)) return s;
  s += fmt::format("\n{:<18} {:>19} {:>17} {:>14}  {}\n", "schedule", "compute per rank", "exposed comm max",
                   "host wait max", "placement: layer units per model part");
  for (const CompareRow& r : rows)
    if (r.error.empty() && !r.layers_per_part.empty())
      s += fmt::format("{:<18} {:>7.2f} - {:>6.2f} s {:>15.2f} s {:>12.2f} s  {}: {}\n", r.schedule, r.compute_min_s,
                       r.compute_max_s, r.exposed_comm_max_s, r.host_wait_max_s, r.placement, split(r.layers_per_part));
  return s;
}

std::string compare_html(const std::string& title, const std::vector<CompareRow>& rows) {
  std::string html = html_page_start(title, "The same scenario under each schedule.");
  const bool bytes = std::any_of(rows.begin(), rows.end(), [](const CompareRow& r) { return r.bytes; });
  html += fmt::format("<table><tr><th>schedule</th><th>step</th><th>bubble</th><th>largest per-rank bubble</th>"
                      "<th>peak activations per rank{0}</th><th>parameters per rank{0}</th></tr>",
                      bytes ? " (GB = 10<sup>9</sup> bytes)" : "");
  for (const CompareRow& r : rows)
    html += r.error.empty()
                ? fmt::format("<tr><td>{}</td><td>{:.4f} s</td><td>{:.1f}%</td><td>{:.4f} s</td><td>{}</td><td>{}</td></tr>",
                              html_escape(r.schedule), r.step_s, 100 * r.bubble_fraction, r.max_bubble_s,
                              amount(r.peak_activations, r.bytes), amount(r.parameters, r.bytes))
                : fmt::format("<tr><td>{}</td><td colspan=\"5\">cannot run: {}</td></tr>", html_escape(r.schedule),
                              html_escape(r.error));
  html += "</table>\n";
  if (has_placement(rows)) {
    html += "<h2>Placement</h2>\n<table><tr><th>schedule</th><th>compute per rank</th><th>largest exposed "
            "communication</th><th>largest host wait</th><th>placement</th><th>layer units per model part</th></tr>";
    for (const CompareRow& r : rows)
      if (r.error.empty() && !r.layers_per_part.empty())
        html += fmt::format("<tr><td>{}</td><td>{:.2f} - {:.2f} s</td><td>{:.2f} s</td><td>{:.2f} s</td><td>{}</td><td>{}</td></tr>",
                            html_escape(r.schedule), r.compute_min_s, r.compute_max_s, r.exposed_comm_max_s, r.host_wait_max_s,
                            html_escape(r.placement), split(r.layers_per_part));
    html += "</table>\n";
  }
  // One scale for all: the longest step fills the width, a shorter one is
  // drawn shorter; they zoom and pan together.
  const double scale = compare_scale_ms(rows);
  bool sends = false, all_to_all = false;
  for (const CompareRow& r : rows) {
    all_to_all |= !r.components.empty();
    for (const auto& rank : r.pipeline.ranks) sends |= !rank.sends.empty();
  }
  html += "<h2>Timelines</h2>\n<p>All on one time scale: the longest step fills the width.</p>\n" +
          pipeline_legend(sends, all_to_all) + "\n" + timeline_controls("compare") + "\n";
  TimelineStats stats;
  for (const CompareRow& r : rows) {
    if (!r.error.empty()) continue;
    Timeline t = r.components.empty() ? pipeline_timeline(r.pipeline, scale, "compare")
                                      : training_timeline(r.pipeline, r.components, r.step_s * 1000, scale, "compare");
    t.span_ms = std::max(t.span_ms, r.step_s * 1000);
    t.splittable = false;  // several steps on one page: merged runs stay merged
    html += fmt::format("<h3>{} ({:.4f} s)</h3>\n", html_escape(r.schedule), r.step_s) + draw_timeline(t, &stats) + "\n";
  }
  html += aggregation_note(stats);
  return html + html_page_end();
}

}  // namespace v3sim::report
