#include "report/compare_report.hpp"

#include <fmt/format.h>

#include "report/html_page.hpp"
#include "report/html_report.hpp"

namespace v3sim::report {
namespace {

std::string amount(double v, bool bytes) { return bytes ? fmt::format("{:.1f} GB", v / 1e9) : fmt::format("{:g}", v); }

}  // namespace

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
  }
  return out;
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
  return s;
}

std::string compare_html(const std::string& title, const std::vector<CompareRow>& rows) {
  std::string html = html_page_start(title, "The same scenario under each schedule.");
  html += "<table><tr><th>schedule</th><th>step</th><th>bubble</th><th>largest per-rank bubble</th>"
          "<th>peak activations per rank</th><th>parameters per rank</th></tr>";
  for (const CompareRow& r : rows)
    html += r.error.empty()
                ? fmt::format("<tr><td>{}</td><td>{:.4f} s</td><td>{:.1f}%</td><td>{:.4f} s</td><td>{}</td><td>{}</td></tr>",
                              html_escape(r.schedule), r.step_s, 100 * r.bubble_fraction, r.max_bubble_s,
                              amount(r.peak_activations, r.bytes), amount(r.parameters, r.bytes))
                : fmt::format("<tr><td>{}</td><td colspan=\"5\">cannot run: {}</td></tr>", html_escape(r.schedule),
                              html_escape(r.error));
  html += "</table>\n" + timeline_legend() + "\n";
  for (const CompareRow& r : rows)
    if (r.error.empty()) html += "<h2>" + html_escape(r.schedule) + "</h2>\n" + timeline_svg(r.pipeline) + "\n";
  html += "</body></html>\n";
  return html;
}

}  // namespace v3sim::report
