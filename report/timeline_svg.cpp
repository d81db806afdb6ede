#include "report/timeline_svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "report/html_escape.hpp"
#include "report/lane_aggregate.hpp"
#include "report/time_axis.hpp"

namespace v3sim::report {
namespace {

// A JSON string (quotes included).
std::string json_string(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Strings (colours, kinds) by first use, so that records name them by index.
struct Palette {
  std::vector<std::string> colours;
  std::size_t index(const std::string& c) {
    const auto it = std::find(colours.begin(), colours.end(), c);
    if (it != colours.end()) return static_cast<std::size_t>(it - colours.begin());
    colours.push_back(c);
    return colours.size() - 1;
  }
};

// The records' shared tables.
struct Tables {
  Palette fills, kinds;
  bool splittable = true;
};

// "k|arg0|arg1...": the item's tip as template k and its arguments.
std::string templated_tip(const TimelineItem& it) {
  if (it.tip_template < 0) return "";
  std::string u = std::to_string(it.tip_template);
  for (const std::string& a : it.tip_args) {
    if (a.find('|') != std::string::npos) throw std::logic_error("timeline tip argument holds '|': " + a);
    u += "|" + a;
  }
  return u;
}

// One lane's items of one half, aggregated, as the page script's records
// (report/timeline_script.hpp builds the rects from them): an op
// [start, end, 0, colour, label, tip, templated tip], the lower half of a
// pair the same with 1, a merged run [start, end, 2, colour, ops counted,
// busy %, main kind, its % of their time, opacity, its ops] with its ops
// flattened as (start after the run's, duration, colour, kind) when the
// timeline is splittable (else 0). Times in ms to 9 significant digits:
// zoomed in to a millionth of the scale, a pixel still holds a distinct
// time (an op inside a run to 6 after the run's start).
void half_records(std::string& out, const TimelineLane& lane, int half, double px, Tables& tables, TimelineStats& stats) {
  Palette& fills = tables.fills;
  std::vector<const TimelineItem*> items;
  for (const TimelineItem& it : lane.items)
    if (it.half == half) items.push_back(&it);
  std::vector<LaneOp> ops;
  for (const TimelineItem* it : items) ops.push_back({it->start_ms, it->end_ms, it->kind, it->fill});
  for (const LaneSegment& seg : aggregate_lane(ops, px)) {
    std::size_t counted = 0;
    for (std::size_t i = seg.first; i < seg.first + seg.n; ++i) counted += items[i]->counted;
    stats.ops += counted;
    if (!out.empty() && out.back() != '[') out += ',';
    if (seg.n == 1) {
      const TimelineItem& it = *items[seg.first];
      out += fmt::format("[{:.9g},{:.9g},{},{},{},{},{}]", it.start_ms, it.end_ms, it.counted ? 0 : 1, fills.index(it.fill),
                         json_string(it.label), json_string(it.tip), json_string(templated_tip(it)));
      continue;
    }
    stats.aggregated_ops += counted;
    ++stats.aggregate_rects;
    out += fmt::format("[{:.9g},{:.9g},2,{},{},{:.0f},{},{:.0f},{:.2f},", seg.start_ms, seg.end_ms, fills.index(seg.fill), counted,
                       100 * seg.busy_share, json_string(seg.kind), 100 * seg.dominant_share, std::max(0.35, seg.busy_share));
    if (!tables.splittable) {
      out += "0]";
      continue;
    }
    out += '[';
    for (std::size_t i = seg.first; i < seg.first + seg.n; ++i) {
      const TimelineItem& it = *items[i];
      out += fmt::format("{}{:.6g},{:.6g},{},{}", i == seg.first ? "" : ",", it.start_ms - seg.start_ms,
                         it.end_ms - it.start_ms, fills.index(it.fill), tables.kinds.index(it.kind));
    }
    out += "]]";
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
  // The lanes' backgrounds here; their ops as records in the JSON script
  // after the SVG, drawn by the page script (a third of the bytes of SVG
  // elements: a page of four 2048-GPU schedules stays under 3 MB).
  TimelineStats local;
  Tables tables;
  tables.splittable = t.splittable;
  std::string lanes;
  y = 4;
  for (const TimelineLane& l : t.lanes) {
    svg += fmt::format(R"(<rect class="bg" x="0" y="{:.2f}" width="{:.2f}" height="{:.2f}" fill="{}" data-s="0" data-e="{:.9g}"/>)",
                       y, t.span_ms * px, l.height, l.comm ? "#fafafa" : "#f2f2f2", t.span_ms);
    for (int half = 0; half < 3; ++half) {
      std::string records = "[";
      half_records(records, l, half, px, tables, local);
      if (records.size() == 1) continue;
      lanes += fmt::format("{}{{\"y\":{:.1f},\"h\":{:.1f},\"role\":\"{}\",\"ops\":{}]}}", lanes.empty() ? "" : ",\n",
                           half == 2 ? y + l.height / 2 : y, half == 0 ? l.height : l.height / 2, l.comm ? "m" : "c", records);
    }
    y += l.height + l.gap_after;
  }
  svg += "</svg></svg>";
  const auto dump = [](const std::vector<std::string>& v) {
    return nlohmann::json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  std::string data = fmt::format("{{\"fills\":{},\"kinds\":{},\"timed\":{},\"tips\":{},\n\"lanes\":[{}]}}",
                                 dump(tables.fills.colours), dump(tables.kinds.colours), t.tips_without_times,
                                 dump(t.tip_templates), lanes);
  // Inside a script element only "</" could end it early.
  for (std::size_t at = data.find("</"); at != std::string::npos; at = data.find("</", at + 3)) data.replace(at, 2, "<\\/");
  svg += R"(<script type="application/json" class="tl-data">)" + data + "</script>";
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
                     "takes most of their time; hover one for its count). Zooming in splits a run back into its ops "
                     "once they are about 2 px wide (on pages comparing runs it only widens them: {}).</p>",
                     s.aggregated_ops, s.ops, s.aggregate_rects, html_escape(full_record));
}

}  // namespace v3sim::report
