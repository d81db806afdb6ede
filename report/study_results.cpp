#include "report/study_results.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report/csv_table.hpp"
#include "report/html_page.hpp"
#include "report/sweep_chart.hpp"

namespace v3sim::report {
namespace {

using models::PointResult;
using models::Study;

std::size_t objective_column(const Study& s) {
  return static_cast<std::size_t>(std::find(s.fields.begin(), s.fields.end(), s.objective) - s.fields.begin());
}

}  // namespace

std::size_t best_point(const Study& s, const std::vector<PointResult>& rows) {
  const std::size_t col = objective_column(s);
  std::size_t best = rows.size();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].ok || !rows[i].fields[col].is_number()) continue;
    const double v = rows[i].fields[col].get<double>();
    if (best == rows.size()) {
      best = i;
      continue;
    }
    const double b = rows[best].fields[col].get<double>();
    if (s.maximise ? v > b : v < b) best = i;
  }
  return best;
}

nlohmann::json study_results_json(const Study& s, const std::vector<PointResult>& rows) {
  nlohmann::json axes = nlohmann::json::array();
  for (const models::StudyAxis& a : s.axes) axes.push_back(a.pointer);
  nlohmann::json points = nlohmann::json::array();
  for (const PointResult& r : rows) points.push_back(r.to_json());
  const std::size_t best = best_point(s, rows);
  return {{"study", s.name},
          {"base", s.base},
          {"combine", s.zip ? "zip" : "product"},
          {"axes", axes},
          {"fields", s.fields},
          {"objective", {{"field", s.objective}, {"goal", s.maximise ? "max" : "min"}}},
          {"best_index", best < rows.size() ? nlohmann::json(rows[best].index) : nlohmann::json(nullptr)},
          {"points", points}};
}

std::string study_results_csv(const Study& s, const std::vector<PointResult>& rows) {
  std::string out = "index";
  for (const models::StudyAxis& a : s.axes) out += "," + csv_quote(readable_name(a.pointer));
  for (const std::string& f : s.fields) out += "," + csv_quote(readable_name(f));
  out += ",status,error\n";
  for (const PointResult& r : rows) {
    out += std::to_string(r.index);
    for (const nlohmann::json& v : r.values) out += "," + csv_cell(v);
    for (const nlohmann::json& v : r.fields) out += "," + csv_cell(v);
    out += std::string(",") + (r.ok ? "ok" : "failed") + "," + csv_cell(r.error) + "\n";
  }
  return out;
}

std::string study_html_report(const Study& s, const std::vector<PointResult>& rows) {
  std::string html = html_page_start(s.name.empty() ? "v3sim sweep" : s.name, s.description);
  const std::size_t best = best_point(s, rows);
  std::size_t failed = 0;
  for (const PointResult& r : rows) failed += !r.ok;
  html += fmt::format("<p>{} points ({} failed), axes combined as a {}. Base scenario: {}.</p>\n", rows.size(), failed,
                      s.zip ? "zip" : "cartesian product", html_escape(s.base));
  if (best < rows.size()) {
    html += fmt::format("<p><b>Best point</b> ({} {} of {}): index {}", s.maximise ? "largest" : "smallest",
                        html_escape(s.objective), "the successful points", rows[best].index);
    for (std::size_t a = 0; a < s.axes.size(); ++a)
      html += ", " + html_escape(s.axes[a].pointer) + " = " + html_escape(rows[best].values[a].dump());
    html += ".</p>\n";
  }
  if (best < rows.size())
    html += "<p>The red ring marks the best point on the chart of " + html_escape(s.objective) +
            ", the field it is best for.</p>\n";
  for (std::size_t f = 0; f < s.fields.size(); ++f)
    for (std::size_t a = 0; a < s.axes.size(); ++a) {
      const std::string svg = sweep_chart(s, rows, f, a, best);
      if (!svg.empty())
        html += "<h2>" + html_escape(s.fields[f]) + " against " + html_escape(s.axes[a].pointer) + "</h2>\n" + svg + "\n";
    }
  html += "<h2>Points</h2>\n<table><tr><th>index</th>";
  for (const models::StudyAxis& a : s.axes) html += "<th>" + html_escape(a.pointer) + "</th>";
  for (const std::string& f : s.fields) html += "<th>" + html_escape(f) + "</th>";
  html += "<th>status</th></tr>";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    html += i == best ? "<tr style=\"background:#fde\">" : "<tr>";
    html += "<td>" + std::to_string(rows[i].index) + "</td>";
    for (const nlohmann::json& v : rows[i].values) html += "<td>" + html_escape(v.dump()) + "</td>";
    for (const nlohmann::json& v : rows[i].fields)
      html += "<td>" + (v.is_number() ? fmt::format("{:.6g}", v.get<double>()) : html_escape(v.dump())) + "</td>";
    html += "<td>" + (rows[i].ok ? std::string("ok") : html_escape("failed: " + rows[i].error)) + "</td></tr>";
  }
  html += "</table>\n";
  return html + html_page_end();
}

}  // namespace v3sim::report
