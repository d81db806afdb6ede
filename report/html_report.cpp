#include "report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/schedule/bubble_formula.hpp"
#include "models/schedule/notation.hpp"
#include "report/html_page.hpp"

namespace v3sim::report {
namespace {

// Colours after the DualPipe figure: forward orange, backward green, weight
// gradient blue; the second chunk of a rank (DualPipe's reverse lane,
// DualPipeV's way back, interleaved chunks > 0) in a deeper shade.
std::string colour(models::OpKind kind, int chunk) {
  const bool deep = chunk > 0;
  switch (kind) {
    case models::OpKind::kF: return deep ? "#e8903c" : "#f8cb9c";
    case models::OpKind::kB: return deep ? "#6aa84f" : "#b6d7a8";
    case models::OpKind::kI: return deep ? "#8fc47a" : "#d9ead3";
    case models::OpKind::kW: return deep ? "#5b8fd1" : "#a4c2f4";
    case models::OpKind::kFB: return "#ffffff";
  }
  return "#cccccc";
}

constexpr double kLeft = 64, kWidth = 1100, kRow = 26;

double x_of(sim::Time t, sim::Time span) { return kLeft + kWidth * static_cast<double>(t) / static_cast<double>(span); }

void box(std::string& svg, double x, double y, double w, double h, const std::string& fill, const std::string& label,
         const std::string& title) {
  svg += fmt::format(R"(<g><title>{}</title><rect x="{:.2f}" y="{:.2f}" width="{:.2f}" height="{:.2f}" fill="{}" stroke="#555" stroke-width="0.5"/>)",
                     html_escape(title), x, y, w, h, fill);
  if (w >= 12 && !label.empty())
    svg += fmt::format(R"(<text x="{:.2f}" y="{:.2f}" font-size="{}" text-anchor="middle" dominant-baseline="central">{}</text>)",
                       x + w / 2, y + h / 2, h < kRow - 6 ? 8 : 10, html_escape(label));
  svg += "</g>";
}

std::string suffix(const models::Schedule& s, const models::Chunk& c) {
  const std::string full = models::format_chunk(s, models::OpKind::kF, c);
  return full.substr(1);  // micro-batch number and lane marker, e.g. "3r"
}

}  // namespace

std::string timeline_legend() {
  std::string out = R"(<p class="legend">)";
  const std::pair<const char*, models::OpKind> items[] = {
      {"F forward", models::OpKind::kF}, {"B full backward", models::OpKind::kB},
      {"I input-gradient backward", models::OpKind::kI}, {"W weight gradient", models::OpKind::kW}};
  for (const auto& [name, kind] : items)
    out += fmt::format(R"(<span><i style="background:{}"></i><i style="background:{}"></i>{}</span>)", colour(kind, 0),
                       colour(kind, 1), name);
  out += "<span>[F&amp;B] overlapped pair: forward half above, backward half below; deeper shade: a rank's second chunk "
         "(DualPipe reverse direction, DualPipeV way back, interleaved chunk &gt; 0)</span></p>";
  return out;
}

namespace {

std::string memory_svg(const models::PipelineResult& r) {
  int peak = 1;
  for (const auto& rank : r.ranks) peak = std::max(peak, rank.peak_activations);
  const double h = 220, top = 10, span = static_cast<double>(std::max<sim::Time>(r.step_time, 1));
  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{:.0f}" height="{:.0f}">)",
                                kLeft + kWidth + 140, h + 40);
  for (int v = 0; v <= peak; v += std::max(1, peak / 8)) {
    const double y = top + h - h * v / peak;
    svg += fmt::format(R"(<line x1="{}" x2="{}" y1="{:.2f}" y2="{:.2f}" stroke="#eee"/><text x="{}" y="{:.2f}" font-size="10" text-anchor="end">{}</text>)",
                       kLeft, kLeft + kWidth, y, y, kLeft - 6, y + 3, v);
  }
  const std::size_t n = r.ranks.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto& curve = r.ranks[i].activation_curve;
    const std::string stroke = fmt::format("hsl({:.0f},65%,45%)", 360.0 * static_cast<double>(i) / static_cast<double>(n));
    std::string pts;
    int held = 0;
    for (const auto& [t, v] : curve) {
      const double x = kLeft + kWidth * static_cast<double>(t) / span;
      pts += fmt::format("{:.2f},{:.2f} {:.2f},{:.2f} ", x, top + h - h * held / peak, x, top + h - h * v / peak);
      held = v;
    }
    pts += fmt::format("{:.2f},{:.2f}", kLeft + kWidth, top + h - h * held / peak);
    svg += fmt::format(R"(<polyline fill="none" stroke="{}" stroke-width="1.5" points="{}"><title>rank {}</title></polyline>)",
                       stroke, pts, i);
    svg += fmt::format(R"(<text x="{}" y="{:.0f}" font-size="11" fill="{}">rank {} (peak {})</text>)", kLeft + kWidth + 10,
                       top + 12 + 13.0 * static_cast<double>(i), stroke, i, r.ranks[i].peak_activations);
  }
  svg += fmt::format(R"(<text x="{}" y="{:.0f}" font-size="11">0</text><text x="{}" y="{:.0f}" font-size="11" text-anchor="end">{:.3f} ms</text>)",
                     kLeft, top + h + 16, kLeft + kWidth, top + h + 16, sim::to_ms(r.step_time));
  svg += "</svg>";
  return svg;
}

}  // namespace

std::string timeline_svg(const models::PipelineResult& r) {
  const auto& s = r.schedule;
  const sim::Time span = std::max<sim::Time>(r.step_time, 1);
  const double height = kRow * static_cast<double>(r.ranks.size()) + 30;
  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{:.0f}" height="{:.0f}" font-family="sans-serif">)",
                                kLeft + kWidth + 10, height);
  for (const auto& rank : r.ranks) {
    const double y = 4 + kRow * rank.rank;
    svg += fmt::format(R"(<text x="{}" y="{:.2f}" font-size="11" text-anchor="end" dominant-baseline="central">rank {}</text>)",
                       kLeft - 6, y + (kRow - 4) / 2, rank.rank);
    svg += fmt::format(R"(<rect x="{}" y="{:.2f}" width="{}" height="{}" fill="#f4f4f4"/>)", kLeft, y, kWidth, kRow - 4);
    for (const auto& rec : rank.ops) {
      const double x = x_of(rec.start, span), w = x_of(rec.end, span) - x;
      const std::string title = fmt::format("{} {:.3f}-{:.3f} ms", models::format_op(s, rec.op), sim::to_ms(rec.start),
                                            sim::to_ms(rec.end));
      if (rec.op.kind == models::OpKind::kFB) {
        const double half = (kRow - 4) / 2;
        box(svg, x, y, w, half, colour(models::OpKind::kF, models::chunk_on_rank(s, rec.op.a)), suffix(s, rec.op.a), title);
        box(svg, x, y + half, w, half, colour(models::OpKind::kB, models::chunk_on_rank(s, rec.op.b)), suffix(s, rec.op.b), title);
      } else {
        box(svg, x, y, w, kRow - 4, colour(rec.op.kind, models::chunk_on_rank(s, rec.op.a)), suffix(s, rec.op.a), title);
      }
    }
  }
  const double axis = kRow * static_cast<double>(r.ranks.size()) + 16;
  svg += fmt::format(R"(<text x="{}" y="{:.0f}" font-size="11">0</text><text x="{}" y="{:.0f}" font-size="11" text-anchor="end">{:.3f} ms</text>)",
                     kLeft, axis, kLeft + kWidth, axis, sim::to_ms(r.step_time));
  svg += "</svg>";
  return svg;
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
      "<tr><th>published bubble {} ({})</th><td>{:.3f} ms{}</td></tr>"
      "<tr><th>events simulated</th><td>{}</td></tr></table>\n",
      models::schedule_kind_name(spec.kind), spec.stages, r.schedule.ranks, spec.microbatches, sim::to_ms(r.step_time),
      r.bubble_fraction(), sim::to_ms(r.max_bubble()), html_escape(f.expression), f.scope, f.value_ms,
      f.exact_when.empty() ? std::string() : html_escape(" (exact when " + f.exact_when + (f.regime_met ? ": met)" : ": not met)")),
      r.events);
  html += "<h2>Pipeline timeline</h2>\n" + timeline_legend() + "\n" + timeline_svg(r) + "\n";
  html += "<h2>Activation memory per rank</h2>\n<p>Stage-chunks of activations held over the step.</p>\n" + memory_svg(r) + "\n";
  html += "<h2>Per rank</h2>\n<table><tr><th>rank</th><th>busy ms</th><th>bubble ms</th><th>peak activations</th>"
          "<th>parameter copies</th></tr>" + rows + "</table>\n";
  html += "<p>Abstract mode: op times are given, not modelled; no shortcuts (symmetry, memoisation) were taken.</p>\n";
  html += "</body></html>\n";
  return html;
}

}  // namespace v3sim::report
