#include "report/html_report.hpp"

#include <fmt/format.h>

#include <cmath>

#include <algorithm>

#include "models/schedule/bubble_formula.hpp"
#include "report/html_page.hpp"
#include "report/pipeline_timeline.hpp"
#include "report/time_axis.hpp"

namespace v3sim::report {
namespace {

constexpr double kLeft = 90, kWidth = 1100;

// Stage-chunks of activations held by each rank, as step functions over the
// step, on the same time axis as the timeline above it.
constexpr std::size_t kMaxCurves = 64;

std::string memory_svg(const models::PipelineResult& r) {
  int peak = 1;
  for (const auto& rank : r.ranks) peak = std::max(peak, rank.peak_activations);
  const double h = 220, top = 10, span_ms = std::max(sim::to_ms(r.step_time), 1e-9), px = kWidth / span_ms;
  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{:.0f}" height="{:.0f}" font-family="sans-serif">)",
                                kLeft + kWidth + 140, top + h + 40);
  svg += time_axis_svg(time_axis(0, span_ms), kLeft, px, top, top + h);
  for (int v = 0; v <= peak; v += std::max(1, peak / 8)) {
    const double y = top + h - h * v / peak;
    svg += fmt::format(R"(<line x1="{}" x2="{}" y1="{:.2f}" y2="{:.2f}" stroke="#eee"/><text x="{}" y="{:.2f}" font-size="10" text-anchor="end">{}</text>)",
                       kLeft, kLeft + kWidth, y, y, kLeft - 6, y + 3, v);
  }
  svg += fmt::format(R"X(<text transform="translate(14,{:.0f}) rotate(-90)" font-size="11" text-anchor="middle">stage-chunks held</text>)X",
                     top + h / 2);
  // At most 64 curves (every k-th rank past that), and per pixel column only
  // the curve's extremes: a 512 x 10,000 step stays a small page.
  const std::size_t n = r.ranks.size(), every = (n + kMaxCurves - 1) / kMaxCurves;
  for (std::size_t i = 0; i < n; i += every) {
    const std::string stroke = fmt::format("hsl({:.0f},65%,45%)", 360.0 * static_cast<double>(i) / static_cast<double>(n));
    std::string pts;
    int held = 0;
    const auto y = [&](int v) { return top + h - h * v / peak; };
    const auto& curve = r.ranks[i].activation_curve;
    for (std::size_t k = 0; k < curve.size();) {
      const double x = kLeft + sim::to_ms(curve[k].first) * px;
      int lo = curve[k].second, hi = lo, last = lo;
      for (++k; k < curve.size() && kLeft + sim::to_ms(curve[k].first) * px < std::floor(x) + 1; ++k)
        lo = std::min(lo, curve[k].second), hi = std::max(hi, curve[k].second), last = curve[k].second;
      pts += fmt::format("{:.2f},{:.2f} ", x, y(held));
      if (hi != lo) pts += fmt::format("{:.2f},{:.2f} {:.2f},{:.2f} ", x, y(hi), x, y(lo));
      pts += fmt::format("{:.2f},{:.2f} ", x, y(last));
      held = last;
    }
    pts += fmt::format("{:.2f},{:.2f}", kLeft + kWidth, top + h - h * held / peak);
    svg += fmt::format(R"(<polyline fill="none" stroke="{}" stroke-width="1.5" points="{}"><title>rank {}</title></polyline>)",
                       stroke, pts, i);
    svg += fmt::format(R"(<text x="{}" y="{:.0f}" font-size="11" fill="{}">rank {} (peak {})</text>)", kLeft + kWidth + 10,
                       top + 12 + 13.0 * static_cast<double>(i), stroke, i, r.ranks[i].peak_activations);
  }
  return svg + "</svg>";
}

}  // namespace

std::string timeline_section(const models::PipelineResult& r, double scale_ms, const std::string& group, bool controls) {
  bool sends = false;
  for (const auto& rank : r.ranks) sends |= !rank.sends.empty();
  TimelineStats stats;
  const std::string svg = draw_timeline(pipeline_timeline(r, scale_ms, group), &stats);
  return pipeline_legend(sends, false) + "\n" + (controls ? timeline_controls(group) + "\n" : "") + svg + "\n" +
         aggregation_note(stats);
}

std::string html_report(const models::Scenario& scenario, const models::PipelineResult& r) {
  const auto& spec = r.schedule.spec;
  const models::BubbleFormula f = models::published_bubble(spec, scenario.op_costs);
  std::string rows;
  for (const auto& rank : r.ranks)
    rows += fmt::format("<tr><td>{}</td><td>{:.3f}</td><td>{:.3f}</td><td>{}</td><td>{:g}</td></tr>", rank.rank,
                        sim::to_ms(rank.busy), sim::to_ms(rank.bubble), rank.peak_activations, rank.parameter_copies);
  const std::string title = scenario.name.empty() ? "v3sim run" : scenario.name;
  std::string html = html_page_start(title, scenario.description);
  html += fmt::format(
      "<table><tr><th>schedule</th><td>{}</td></tr><tr><th>stages / ranks</th><td>{} / {}</td></tr>"
      "<tr><th>micro-batches</th><td>{}</td></tr><tr><th>step time</th><td>{:.3f} ms</td></tr>"
      "<tr><th>bubble fraction</th><td>{:.4f}</td></tr><tr><th>largest per-rank bubble</th><td>{:.3f} ms</td></tr>"
      "<tr><th>published bubble {} ({})</th><td>{}{}</td></tr>"
      "<tr><th>events simulated</th><td>{}</td></tr></table>\n",
      models::schedule_kind_name(spec.kind), spec.stages, r.schedule.ranks, spec.microbatches, sim::to_ms(r.step_time),
      r.bubble_fraction(), sim::to_ms(r.max_bubble()), html_escape(f.expression), f.scope,
      f.defined ? fmt::format("{:.3f} ms", f.value_ms) : std::string("negative: no time outside its regime"),
      f.exact_when.empty() ? std::string() : html_escape(" (exact when " + f.exact_when + (f.regime_met ? ": met)" : ": not met)")),
      r.events);
  html += "<h2>Pipeline timeline</h2>\n" + timeline_section(r);
  html += "<h2>Activation memory per rank</h2>\n<p>Stage-chunks of activations held over the step.</p>\n" + memory_svg(r) + "\n";
  html += "<h2>Per rank</h2>\n<table><tr><th>rank</th><th>busy ms</th><th>bubble ms</th><th>peak activations</th>"
          "<th>parameter copies</th></tr>" + rows + "</table>\n";
  html += "<p>Abstract mode: op times are given, not modelled; no shortcuts (symmetry, memoisation) were taken.</p>\n";
  return html + html_page_end();
}

}  // namespace v3sim::report
