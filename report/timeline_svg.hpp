#pragma once
// A timeline as SVG: lanes of ops on a real time axis (report/time_axis),
// ops narrower than a pixel merged (report/lane_aggregate), every op with
// data-s/data-e (ms) from which the page script (report/timeline_script.hpp)
// lays the lanes out again when zoomed, and its hover text in data-t (merged
// ops: their count, busy share and main kind, written out by the script).
//
// Pages comparing runs give every timeline the same `scale_ms` (the longest
// run's span), so equal times are equal widths across timelines.
#include <cstddef>
#include <string>
#include <vector>

namespace v3sim::report {

struct TimelineItem {
  double start_ms = 0, end_ms = 0;
  std::string kind;   // what an aggregate of such ops is called, e.g. "F", "dispatch(F)"
  std::string fill;   // colour
  std::string label;  // drawn inside the op when it is wide enough
  std::string tip;    // hover text (times left out when the timeline's tips_without_times)
  int half = 0;       // 0: the lane's height; 1: its upper half; 2: its lower half
  bool counted = true;  // false for the second half of an op drawn as two (a pair)
  // Instead of `tip`: template `tip_template` of the timeline's
  // tip_templates with {0}, {1}, ... replaced by tip_args (no '|' in them),
  // filled in by the page: thousands of ops share a few sentences.
  int tip_template = -1;
  std::vector<std::string> tip_args{};
};

struct TimelineLane {
  std::string label;
  bool comm = false;   // a communication lane (class "m"), else compute (class "c")
  double height = 22;
  double gap_after = 4;
  std::vector<TimelineItem> items;
};

struct Timeline {
  std::string group = "tl";  // timelines of one group zoom and pan together
  std::vector<TimelineLane> lanes;
  double span_ms = 0;   // this run: the lanes' background extent
  double scale_ms = 0;  // the time the full plot width shows (0: span_ms)
  double plot_px = 1100;
  double left_px = 90;
  std::string axis_title = "time";
  // The items' tips leave out their times: the page adds "start S ms,
  // duration D ms" from data-s/data-e (the bulk of a page's ops carry no
  // repeated numbers).
  bool tips_without_times = false;
  std::vector<std::string> tip_templates;  // see TimelineItem::tip_template
  // Merged runs carry their ops (start, duration, colour, kind), so that a
  // zoom splits a run back into ops once they are about 2 px wide each;
  // pages comparing several runs leave them out to stay small.
  bool splittable = true;
};

struct TimelineStats {
  std::size_t ops = 0;              // counted items
  std::size_t aggregated_ops = 0;   // counted items drawn inside an aggregate
  std::size_t aggregate_rects = 0;  // aggregates drawn
  void add(const TimelineStats& o) {
    ops += o.ops;
    aggregated_ops += o.aggregated_ops;
    aggregate_rects += o.aggregate_rects;
  }
};

// Each item sorted by start within its lane and half. Adds to `stats`.
std::string draw_timeline(const Timeline& t, TimelineStats* stats = nullptr);

// The zoom buttons of a group, placed above its first timeline.
std::string timeline_controls(const std::string& group);

// "N of M ops were narrower than a pixel ..." for the page, ending with
// where every op can be seen; empty when none.
std::string aggregation_note(const TimelineStats& stats, const std::string& full_record = "trace.json holds every op");

}  // namespace v3sim::report
