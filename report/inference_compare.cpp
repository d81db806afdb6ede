#include "report/inference_compare.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "report/html_page.hpp"
#include "report/inference_timeline.hpp"
#include "report/time_axis.hpp"

namespace v3sim::report {
namespace {

bool prefill(const models::InferenceResult& r) { return r.spec.phase == models::InferencePhase::kPrefill; }

double latency_ms(const models::InferenceResult& r) { return (prefill(r) ? r.ttft_s : r.tpot_s) * 1e3; }

}  // namespace

nlohmann::json inference_compare_json(const std::vector<InferenceCompareRow>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const InferenceCompareRow& row : rows) {
    if (!row.error.empty()) {
      out.push_back({{"variant", row.label}, {"error", row.error}});
      continue;
    }
    const models::InferenceResult& r = row.result;
    out.push_back({{"variant", row.label},
                   {"phase", prefill(r) ? "prefill" : "decode"},
                   {"step_time_s", r.step_s},
                   {"tokens_per_s_per_gpu", r.tokens_per_s_per_gpu},
                   {"tokens_per_s_per_node", r.tokens_per_s_per_node},
                   {prefill(r) ? "ttft_contribution_s" : "tpot_s", latency_ms(r) * 1e-3},
                   {"memory_per_gpu_gb", r.memory.total() / 1e9},
                   {"expert_load_max_over_mean", r.load_imbalance_after}});
  }
  return {{"variants", out}};
}

std::string inference_compare_table(const std::vector<InferenceCompareRow>& rows) {
  std::size_t w = 7;
  for (const InferenceCompareRow& row : rows) w = std::max(w, row.label.size());
  std::string s = fmt::format("{:<{}} {:>11} {:>13} {:>14} {:>11} {:>9} {:>9}\n", "variant", w, "step ms", "tok/s/GPU",
                              "tok/s/node", "TTFT|TPOT", "mem GB", "load");
  for (const InferenceCompareRow& row : rows) {
    if (!row.error.empty()) {
      s += fmt::format("{:<{}} error: {}\n", row.label, w, row.error);
      continue;
    }
    const models::InferenceResult& r = row.result;
    s += fmt::format("{:<{}} {:>11.3f} {:>13.0f} {:>14.0f} {:>8.2f} ms {:>9.1f} {:>9.3f}\n", row.label, w, r.step_s * 1e3,
                     r.tokens_per_s_per_gpu, r.tokens_per_s_per_node, latency_ms(r), r.memory.total() / 1e9,
                     r.load_imbalance_after);
  }
  return s + "(mem GB: memory per GPU, GB = 1e9 B; load: expert load max/mean after placement)\n";
}

std::string inference_compare_html(const std::string& title, const std::vector<InferenceCompareRow>& rows) {
  std::string html = html_page_start(title, "Serving variants on the same engine, cluster and calibration.");
  html += "<table><tr><th>variant</th><th>step ms</th><th>tokens/s per GPU</th><th>tokens/s per node</th>"
          "<th>TTFT contribution or TPOT, ms</th><th>memory per GPU, GB (10^9 B)</th><th>expert load max/mean</th></tr>\n";
  double longest = 0;
  for (const InferenceCompareRow& row : rows) {
    if (!row.error.empty()) {
      html += "<tr><td>" + html_escape(row.label) + "</td><td colspan=\"6\">" + html_escape(row.error) + "</td></tr>\n";
      continue;
    }
    const models::InferenceResult& r = row.result;
    for (const models::StageTotal& st : r.stages) longest = std::max(longest, st.max_ms);
    html += fmt::format("<tr><td>{}</td><td>{:.3f}</td><td>{:.0f}</td><td>{:.0f}</td><td>{:.2f}</td><td>{:.1f}</td><td>{:.3f}</td></tr>\n",
                        html_escape(row.label), r.step_s * 1e3, r.tokens_per_s_per_gpu, r.tokens_per_s_per_node,
                        latency_ms(r), r.memory.total() / 1e9, r.load_imbalance_after);
  }
  html += "</table>\n<h2>Stage time per GPU over the step (mean; the busiest GPU's as the thin bar)</h2>\n";
  for (const InferenceCompareRow& row : rows) {
    if (!row.error.empty() || longest <= 0) continue;
    // Bars on one scale for every variant, with its axis below them.
    const int bottom = static_cast<int>(18 * row.result.stages.size() + 4);
    html += "<h3>" + html_escape(row.label) + "</h3>\n<svg class=\"chart\" width=\"820\" height=\"" +
            std::to_string(bottom + 36) + "\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\">\n";
    html += time_axis_svg(time_axis(0, longest), 80, 600 / longest, 0, bottom, "stage time per GPU over the step");
    int y = 2;
    for (const models::StageTotal& st : row.result.stages) {
      html += fmt::format("<text x=\"0\" y=\"{}\">{}</text><rect x=\"80\" y=\"{}\" width=\"{:.1f}\" height=\"10\" fill=\"#9dc3e6\"/>"
                          "<rect x=\"80\" y=\"{}\" width=\"{:.1f}\" height=\"3\" fill=\"#c00\"/><text x=\"{:.1f}\" y=\"{}\">{:.2f} ms</text>\n",
                          y + 10, st.stage, y, 600 * st.mean_ms / longest, y + 11, 600 * st.max_ms / longest,
                          86 + 600 * st.max_ms / longest, y + 10, st.mean_ms);
      y += 18;
    }
    html += "</svg>\n";
  }
  // The steps on one time scale: equal times are equal widths.
  const auto ok = std::find_if(rows.begin(), rows.end(), [](const InferenceCompareRow& row) { return row.error.empty(); });
  if (ok == rows.end()) return html + html_page_end();
  double longest_step = 0;
  for (const InferenceCompareRow& row : rows)
    if (row.error.empty()) longest_step = std::max(longest_step, row.result.step_s * 1e3);
  html += "<h2>The steps on one time scale</h2>\n" + inference_legend(ok->result) + "\n" + timeline_controls("compare") + "\n";
  TimelineStats stats;
  for (const InferenceCompareRow& row : rows)
    if (row.error.empty()) {
      Timeline t = inference_timeline(row.result, 0, row.result.step_s * 1e3, longest_step, "compare");
      t.splittable = false;  // several steps on one page: merged runs stay merged
      html += "<h3>" + html_escape(row.label) + "</h3>\n" + draw_timeline(t, &stats) + "\n";
    }
  return html + aggregation_note(stats) + html_page_end();
}

}  // namespace v3sim::report
