#include "report/timeline_svg.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "report/html_escape.hpp"
#include "report/lane_aggregate.hpp"
#include "report/time_axis.hpp"

namespace v3sim::report {
namespace {

// Widths the page script uses too: the least drawn width of an op, and the
// least width at which its label fits (about 6 px a character, 4 px margin).
constexpr double kMinOpPx = 0.8;
double label_px(const std::string& label) { return 6.0 * static_cast<double>(label.size()) + 4; }

void draw_rect(std::string& svg, const char* cls, double x, double y, double w, double h, const std::string& fill,
               double opacity, double s, double e, const std::string& extra, const std::string& tip) {
  svg += fmt::format(R"(<rect class="{}" x="{:.2f}" y="{:.2f}" width="{:.2f}" height="{:.2f}" fill="{}")", cls, x, y,
                     std::max(w, kMinOpPx), h, fill);
  if (opacity < 1) svg += fmt::format(R"( fill-opacity="{:.2f}")", opacity);
  svg += fmt::format(R"( stroke="#555" stroke-width="0.4" data-s="{:.9g}" data-e="{:.9g}"{}><title>{}</title></rect>)", s,
                     e, extra, html_escape(tip));
}

std::string ms_text(double ms) { return ms >= 1000 ? fmt::format("{:.4f} s", ms / 1000) : fmt::format("{:.4g} ms", ms); }

// One lane's items of one half: aggregated, then drawn.
void draw_half(std::string& svg, const TimelineLane& lane, int half, double y, double px, TimelineStats& stats) {
  std::vector<const TimelineItem*> items;
  for (const TimelineItem& it : lane.items)
    if (it.half == half) items.push_back(&it);
  std::vector<LaneOp> ops;
  for (const TimelineItem* it : items) ops.push_back({it->start_ms, it->end_ms, it->kind, it->fill});
  const double h = half == 0 ? lane.height : lane.height / 2;
  const double top = half == 2 ? y + lane.height / 2 : y;
  const char* role = lane.comm ? "m" : "c";
  for (const LaneSegment& seg : aggregate_lane(ops, px)) {
    std::size_t counted = 0;
    for (std::size_t i = seg.first; i < seg.first + seg.n; ++i) counted += items[i]->counted;
    stats.ops += counted;
    const double x = seg.start_ms * px, w = (seg.end_ms - seg.start_ms) * px;
    if (seg.n == 1) {
      const TimelineItem& it = *items[seg.first];
      draw_rect(svg, fmt::format("{} {}", it.counted ? "op" : "op2", role).c_str(), x, top, w, h, it.fill, 1, it.start_ms,
                it.end_ms, "", it.tip);
      if (!it.label.empty())
        svg += fmt::format(R"(<text class="lbl" x="{:.2f}" y="{:.2f}" font-size="{}" text-anchor="middle" )"
                           R"(dominant-baseline="central" data-s="{:.9g}" data-e="{:.9g}"{}>{}</text>)",
                           x + w / 2, top + h / 2, h < 14 ? 8 : 10, it.start_ms, it.end_ms,
                           w >= label_px(it.label) ? "" : R"( style="display:none")", html_escape(it.label));
      continue;
    }
    stats.aggregated_ops += counted;
    ++stats.aggregate_rects;
    const std::string tip = fmt::format("{} ops, each narrower than a pixel, merged: {} to {} (busy {:.0f}% of it), mostly {} "
                                        "({:.0f}% of their time)",
                                        seg.n, ms_text(seg.start_ms), ms_text(seg.end_ms), 100 * seg.busy_share,
                                        seg.kind, 100 * seg.dominant_share);
    draw_rect(svg, fmt::format("agg {}", role).c_str(), x, top, w, h, seg.fill, std::max(0.35, seg.busy_share),
              seg.start_ms, seg.end_ms, fmt::format(R"( data-n="{}")", counted), tip);
  }
}

}  // namespace

std::string draw_timeline(const Timeline& t, TimelineStats* stats) {
  const double scale = t.scale_ms > 0 ? t.scale_ms : std::max(t.span_ms, 1e-9);
  const double px = t.plot_px / scale;
  double bottom = 4;
  for (const TimelineLane& l : t.lanes) bottom += l.height + l.gap_after;
  const double width = t.left_px + t.plot_px + 16, height = bottom + 36;
  std::string svg = fmt::format(
      R"(<svg class="tl" xmlns="http://www.w3.org/2000/svg" width="{:.0f}" height="{:.0f}" font-family="sans-serif" )"
      R"(data-group="{}" data-scale="{:.9g}" data-left="{:.0f}" data-plot="{:.0f}" data-top="2" data-bottom="{:.1f}">)",
      width, height, html_escape(t.group), scale, t.left_px, t.plot_px, bottom);
  svg += time_axis_svg(time_axis(0, scale), t.left_px, px, 2, bottom, t.axis_title);
  double y = 4;
  for (const TimelineLane& l : t.lanes) {
    svg += fmt::format(R"(<text x="{:.0f}" y="{:.2f}" font-size="{}" text-anchor="end" dominant-baseline="central">{}</text>)",
                       t.left_px - 6, y + l.height / 2, l.comm ? 9 : 11, html_escape(l.label));
    y += l.height + l.gap_after;
  }
  // The plot is a nested <svg>: it clips what a zoom moves out of view.
  svg += fmt::format(R"(<svg class="plot" x="{:.0f}" y="0" width="{:.0f}" height="{:.1f}" overflow="hidden">)", t.left_px,
                     t.plot_px, bottom);
  TimelineStats local;
  y = 4;
  for (const TimelineLane& l : t.lanes) {
    svg += fmt::format(R"(<rect class="bg" x="0" y="{:.2f}" width="{:.2f}" height="{:.2f}" fill="{}" data-s="0" data-e="{:.9g}"/>)",
                       y, t.span_ms * px, l.height, l.comm ? "#fafafa" : "#f2f2f2", t.span_ms);
    for (int half = 0; half < 3; ++half) draw_half(svg, l, half, y, px, local);
    y += l.height + l.gap_after;
  }
  svg += "</svg></svg>";
  if (stats) stats->add(local);
  return svg;
}

std::string timeline_controls(const std::string& group) {
  return fmt::format(R"(<div class="tlbar" data-group="{}"><button type="button" data-z="in">zoom in</button>)"
                     R"(<button type="button" data-z="out">zoom out</button><button type="button" data-z="reset">reset</button>)"
                     R"( <span>or wheel over the timeline to zoom, drag to pan; hover an op for its details</span></div>)",
                     html_escape(group));
}

std::string aggregation_note(const TimelineStats& s, const std::string& full_record) {
  if (s.aggregated_ops == 0) return "";
  return fmt::format("<p class=\"note\">{} of the {} ops drawn were narrower than a pixel at this scale; runs of them are "
                     "merged into {} rects (shaded by the share of the run they keep busy, coloured by the kind that "
                     "takes most of their time; hover one for its count). Zooming widens them but does not split them: "
                     "{}.</p>",
                     s.aggregated_ops, s.ops, s.aggregate_rects, html_escape(full_record));
}

}  // namespace v3sim::report
