#include "report/study_results.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report/csv_table.hpp"
#include "report/html_page.hpp"

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
  const double w = 520, h = 260, left = 70, top = 20;
  for (std::size_t f = 0; f < s.fields.size(); ++f)
    for (std::size_t a = 0; a < s.axes.size(); ++a) {
      // One line per combination of the other axes' values; x positions are
      // the axis values in their listed order (categories or numbers alike).
      std::map<std::string, std::vector<std::pair<std::size_t, double>>> lines;
      double lo = 1e300, hi = -1e300;
      for (std::size_t i = 0; i < rows.size(); ++i) {
        if (!rows[i].ok || !rows[i].fields[f].is_number()) continue;
        std::string key;
        for (std::size_t o = 0; o < s.axes.size(); ++o)
          if (o != a) key += (key.empty() ? "" : ", ") + s.axes[o].pointer + "=" + rows[i].values[o].dump();
        const auto& vals = s.axes[a].values;
        const std::size_t x = static_cast<std::size_t>(std::find(vals.begin(), vals.end(), rows[i].values[a]) - vals.begin());
        const double y = rows[i].fields[f].get<double>();
        lines[key].push_back({x, y});
        lo = std::min(lo, y);
        hi = std::max(hi, y);
      }
      if (lines.empty()) continue;
      if (hi <= lo) hi = lo + 1;
      const std::size_t nx = std::max<std::size_t>(2, s.axes[a].values.size());
      auto px = [&](std::size_t x) { return left + w * static_cast<double>(x) / static_cast<double>(nx - 1); };
      auto py = [&](double y) { return top + h - h * (y - lo) / (hi - lo); };
      std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{:.0f}" height="{:.0f}" font-family="sans-serif" font-size="11">)",
                                    left + w + 30, top + h + 50);
      svg += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="#fafafa" stroke="#ccc"/>)", left, top, w, h);
      svg += fmt::format(R"(<text x="{}" y="{:.0f}" text-anchor="end">{:.4g}</text><text x="{}" y="{:.0f}" text-anchor="end">{:.4g}</text>)",
                         left - 4, top + 4, hi, left - 4, top + h, lo);
      for (std::size_t x = 0; x < s.axes[a].values.size(); ++x)
        svg += fmt::format(R"(<text x="{:.1f}" y="{:.0f}" text-anchor="middle">{}</text>)", px(x), top + h + 16,
                           html_escape(s.axes[a].values[x].dump()));
      svg += fmt::format(R"(<text x="{:.0f}" y="{:.0f}" text-anchor="middle">{}</text>)", left + w / 2, top + h + 36,
                         html_escape(s.axes[a].pointer));
      const char* colours[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
      std::size_t c = 0;
      for (auto& [key, pts] : lines) {
        std::sort(pts.begin(), pts.end());
        std::string path;
        for (const auto& [x, y] : pts) path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L", px(x), py(y));
        svg += fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="1.5"><title>{}</title></path>)", path,
                           colours[c % 8], html_escape(key));
        for (const auto& [x, y] : pts)
          svg += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="2.5" fill="{}"/>)", px(x), py(y), colours[c % 8]);
        ++c;
      }
      if (best < rows.size() && rows[best].fields[f].is_number()) {
        const auto& vals = s.axes[a].values;
        const std::size_t x = static_cast<std::size_t>(std::find(vals.begin(), vals.end(), rows[best].values[a]) - vals.begin());
        svg += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="6" fill="none" stroke="#d00" stroke-width="2"><title>best point</title></circle>)",
                           px(x), py(rows[best].fields[f].get<double>()));
      }
      svg += "</svg>";
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
  html += "</table>\n</body></html>\n";
  return html;
}

}  // namespace v3sim::report
