#include "report/serving_compare.hpp"

#include <fmt/format.h>

#include "report/html_page.hpp"

namespace v3sim::report {
namespace {

// The columns every view shows: (name, value of a row).
struct Column {
  const char* name;
  double (*value)(const ServingCompareRow&);
};

const std::vector<Column>& columns() {
  static const std::vector<Column> c = {
      {"prefill_units", [](const ServingCompareRow& r) { return static_cast<double>(r.prefill_units); }},
      {"decode_units", [](const ServingCompareRow& r) { return static_cast<double>(r.decode_units); }},
      {"completed", [](const ServingCompareRow& r) { return static_cast<double>(r.result.completed); }},
      {"rejected", [](const ServingCompareRow& r) { return static_cast<double>(r.result.rejected); }},
      {"ttft_p50_s", [](const ServingCompareRow& r) { return r.result.ttft_s.p50; }},
      {"ttft_p99_s", [](const ServingCompareRow& r) { return r.result.ttft_s.p99; }},
      {"tpot_p50_s", [](const ServingCompareRow& r) { return r.result.tpot_s.p50; }},
      {"tpot_p99_s", [](const ServingCompareRow& r) { return r.result.tpot_s.p99; }},
      {"slo_attainment", [](const ServingCompareRow& r) { return r.result.has_slo ? r.result.slo_attainment : -1; }},
      {"goodput_requests_per_s", [](const ServingCompareRow& r) { return r.result.goodput_requests_per_s; }},
      {"output_tokens_per_s", [](const ServingCompareRow& r) { return r.result.output_tokens_per_s; }},
      {"prefix_hit_ratio", [](const ServingCompareRow& r) { return r.result.hit_ratio; }},
  };
  return c;
}

}  // namespace

nlohmann::json serving_compare_json(const std::vector<ServingCompareRow>& rows) {
  nlohmann::json variants = nlohmann::json::array();
  for (const ServingCompareRow& r : rows) {
    nlohmann::json v = {{"label", r.label}};
    if (!r.error.empty()) {
      v["error"] = r.error;
    } else {
      for (const Column& c : columns()) {
        const double x = c.value(r);
        if (std::string(c.name) == "slo_attainment" && x < 0) continue;
        v[c.name] = x;
      }
    }
    variants.push_back(v);
  }
  return {{"kind", "serving"}, {"variants", variants}};
}

std::string serving_compare_table(const std::vector<ServingCompareRow>& rows) {
  std::string t = fmt::format("{:<48} {:>4} {:>4} {:>9} {:>9} {:>9} {:>9} {:>8} {:>10}\n", "scenario", "pre", "dec",
                              "TTFT p50", "TTFT p99", "TPOT p50", "TPOT p99", "SLO", "goodput/s");
  for (const ServingCompareRow& r : rows) {
    if (!r.error.empty()) {
      t += fmt::format("{:<48} {}\n", r.label, r.error);
      continue;
    }
    const models::ServingResult& x = r.result;
    t += fmt::format("{:<48} {:>4} {:>4} {:>8.3f}s {:>8.3f}s {:>7.1f}ms {:>7.1f}ms {:>8} {:>10.2f}\n", r.label, r.prefill_units,
                     r.decode_units, x.ttft_s.p50, x.ttft_s.p99, x.tpot_s.p50 * 1e3, x.tpot_s.p99 * 1e3,
                     x.has_slo ? fmt::format("{:.1f}%", 100 * x.slo_attainment) : "-", x.goodput_requests_per_s);
  }
  return t;
}

std::string serving_compare_html(const std::string& title, const std::vector<ServingCompareRow>& rows) {
  std::string html = html_page_start(title, "Request-level serving runs side by side (docs/serving.md).");
  html += "<table><tr><th>scenario</th>";
  for (const Column& c : columns()) html += fmt::format("<th>{}</th>", c.name);
  html += "</tr>\n";
  for (const ServingCompareRow& r : rows) {
    html += "<tr><td>" + html_escape(r.label) + "</td>";
    if (!r.error.empty()) {
      html += fmt::format("<td colspan=\"{}\">{}</td></tr>\n", columns().size(), html_escape(r.error));
      continue;
    }
    for (const Column& c : columns()) {
      const double x = c.value(r);
      html += x < 0 ? "<td>-</td>" : fmt::format("<td>{:.4g}</td>", x);
    }
    html += "</tr>\n";
  }
  return html + "</table>\n" + html_page_end();
}

}  // namespace v3sim::report
