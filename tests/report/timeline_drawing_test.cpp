// The drawing logic of the HTML pages, against hand-worked cases: round
// tick intervals, the aggregation of sub-pixel ops, one scale for compared
// timelines, sweep charts' units, palette and best-point ring.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <regex>
#include <set>

#include "report/compare_report.hpp"
#include "report/lane_aggregate.hpp"
#include "report/sweep_chart.hpp"
#include "report/time_axis.hpp"
#include "report/timeline_svg.hpp"

namespace v3sim::report {
namespace {

TEST(TimeAxis, NiceStepRoundsToOneTwoFive) {
  EXPECT_DOUBLE_EQ(nice_step(4.46), 5);
  EXPECT_DOUBLE_EQ(nice_step(1.4), 1);
  EXPECT_DOUBLE_EQ(nice_step(2.9), 2);
  EXPECT_DOUBLE_EQ(nice_step(6.9), 5);
  EXPECT_DOUBLE_EQ(nice_step(7.2), 10);
  EXPECT_DOUBLE_EQ(nice_step(0.062), 0.05);
  EXPECT_DOUBLE_EQ(nice_step(3716), 5000);
}

TEST(TimeAxis, SpanOf22Point3SecondsTicksEvery5Seconds) {
  // 22.3 s over about 6 intervals is 3.7 s, rounded to 5 s: 0, 5, 10, 15, 20.
  const TimeAxis a = time_axis(0, 22300);
  EXPECT_TRUE(a.seconds);
  EXPECT_STREQ(a.unit(), "s");
  EXPECT_DOUBLE_EQ(a.step_ms, 5000);
  ASSERT_EQ(a.ticks_ms.size(), 5u);
  EXPECT_DOUBLE_EQ(a.ticks_ms.back(), 20000);
  EXPECT_EQ(a.label(15000), "15");
}

TEST(TimeAxis, FourteenSecondsTicksEvery2Seconds) {
  const TimeAxis a = time_axis(0, 14000);  // 2.33 s -> 2 s: 0, 2, ..., 14
  EXPECT_DOUBLE_EQ(a.step_ms, 2000);
  EXPECT_EQ(a.ticks_ms.size(), 8u);
  EXPECT_EQ(a.label(14000), "14");
}

TEST(TimeAxis, SubMillisecondSpanInMs) {
  const TimeAxis a = time_axis(0, 0.37);  // 0.0617 ms -> 0.05 ms: 0 ... 0.35
  EXPECT_FALSE(a.seconds);
  EXPECT_DOUBLE_EQ(a.step_ms, 0.05);
  EXPECT_EQ(a.ticks_ms.size(), 8u);
  EXPECT_EQ(a.decimals, 2);
  EXPECT_EQ(a.label(0.35), "0.35");
  EXPECT_EQ(a.label(0), "0.00");
}

TEST(TimeAxis, ZoomedWindowStartsAtTheFirstMultiple) {
  const TimeAxis a = time_axis(2.5, 3.5);  // 0.167 -> 0.2: 2.6 2.8 3.0 3.2 3.4
  ASSERT_EQ(a.ticks_ms.size(), 5u);
  EXPECT_NEAR(a.ticks_ms.front(), 2.6, 1e-12);
  EXPECT_NEAR(a.ticks_ms.back(), 3.4, 1e-12);
  EXPECT_EQ(a.label(a.ticks_ms[2]), "3.0");
}

TEST(TimeAxis, NiceTicksForAnyAxis) {
  int decimals = -1;
  const std::vector<double> t = nice_ticks(0, 80, 6, &decimals);  // 13.3 -> 10: 0 ... 80
  EXPECT_EQ(t.size(), 9u);
  EXPECT_EQ(decimals, 0);
}

TEST(LaneAggregate, MergesRunsOfSubPixelOps) {
  // 1 px per ms. A, B, C are each under a pixel and under a pixel apart: one
  // run; D is wide; E alone stays itself; F and G form a second run.
  const std::vector<LaneOp> ops = {{0, 0.5, "x", "#1"},   {0.6, 0.9, "y", "#2"}, {1.2, 1.3, "y", "#2"},
                                   {1.5, 5, "z", "#3"},   {5.2, 5.4, "x", "#1"}, {7, 7.2, "x", "#1"},
                                   {7.3, 7.5, "y", "#2"}};
  const std::vector<LaneSegment> s = aggregate_lane(ops, 1.0);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].n, 3u);
  EXPECT_EQ(s[0].kind, "x");  // x 0.5 ms, y 0.4 ms
  EXPECT_EQ(s[0].fill, "#1");
  EXPECT_NEAR(s[0].dominant_share, 0.5 / 0.9, 1e-12);
  EXPECT_NEAR(s[0].busy_share, 0.9 / 1.3, 1e-12);
  EXPECT_DOUBLE_EQ(s[0].end_ms, 1.3);
  EXPECT_EQ(s[1].n, 1u);
  EXPECT_EQ(s[1].kind, "z");
  EXPECT_EQ(s[2].n, 1u);
  EXPECT_EQ(s[2].first, 4u);
  EXPECT_EQ(s[3].n, 2u);
  EXPECT_EQ(s[3].kind, "x");  // a tie goes to the kind seen first
  // At 10 px per ms nothing is under a pixel: seven rects.
  EXPECT_EQ(aggregate_lane(ops, 10.0).size(), 7u);
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

TEST(TimelineSvg, DrawnOpsPlusAggregatedEqualsInput) {
  Timeline t;
  t.span_ms = 1000;
  t.plot_px = 1000;  // 1 px per ms
  TimelineLane lane;
  for (int i = 0; i < 100; ++i) lane.items.push_back({i * 0.5, i * 0.5 + 0.2, "k", "#000", "", "tip", 0, true});
  for (int i = 0; i < 5; ++i) lane.items.push_back({100.0 + 50 * i, 120.0 + 50 * i, "w", "#fff", "F", "tip", 0, true});
  t.lanes.push_back(lane);
  TimelineStats stats;
  const std::string svg = draw_timeline(t, &stats);
  EXPECT_EQ(stats.ops, 105u);
  EXPECT_EQ(stats.aggregated_ops, 100u);  // 0.2 ms ops 0.3 ms apart: one run
  EXPECT_EQ(stats.aggregate_rects, 1u);
  // The page script draws the ops from the records after the SVG.
  const std::string open = R"(<script type="application/json" class="tl-data">)";
  const std::size_t at = svg.find(open), end = svg.find("</script>", at);
  ASSERT_NE(at, std::string::npos);
  const auto data = nlohmann::json::parse(svg.substr(at + open.size(), end - at - open.size()));
  std::size_t single = 0, merged_100 = 0;
  for (const auto& lane : data["lanes"])
    for (const auto& op : lane["ops"]) {
      single += op[2] == 0;
      merged_100 += op[2] == 2 && op[4] == 100;
    }
  EXPECT_EQ(single, 5u);
  EXPECT_EQ(merged_100, 1u);
  EXPECT_EQ(data["fills"], nlohmann::json({"#000", "#fff"}));
  EXPECT_NE(aggregation_note(stats).find("100 of the 105 ops"), std::string::npos);
}

double first_lane_width(const std::string& svg) {
  std::smatch m;
  EXPECT_TRUE(std::regex_search(svg, m, std::regex(R"X(class="bg" x="0" y="[0-9.]+" width="([0-9.]+)")X")));
  return std::stod(m[1]);
}

TEST(TimelineSvg, ComparedTimelinesShareTheLongestScale) {
  std::vector<CompareRow> rows(2);
  rows[0].step_s = 14;
  rows[1].step_s = 22;
  const double scale = compare_scale_ms(rows);
  EXPECT_DOUBLE_EQ(scale, 22000);
  std::vector<double> widths;
  for (const CompareRow& r : rows) {
    Timeline t;
    t.span_ms = r.step_s * 1000;
    t.scale_ms = scale;
    t.lanes.push_back({"rank 0", false, 22, 4, {}});
    widths.push_back(first_lane_width(draw_timeline(t)));
  }
  EXPECT_NEAR(widths[1], 1100, 0.01);
  EXPECT_NEAR(widths[0] / widths[1], 14.0 / 22.0, 1e-4);
}

TEST(SweepChart, UnitsPaletteAndBestOnlyOnItsObjective) {
  EXPECT_EQ(field_unit("/step_time_ms"), "ms");
  EXPECT_EQ(field_unit("/step_time_s"), "s");
  EXPECT_EQ(field_unit("/bubble_fraction"), "fraction");
  EXPECT_EQ(field_unit("/tokens_per_s"), "per s");
  for (std::size_t n : {3u, 10u, 14u}) {
    const std::vector<std::string> p = chart_palette(n);
    EXPECT_EQ(std::set<std::string>(p.begin(), p.end()).size(), n);
  }
  models::Study s;
  s.axes = {{"/schedule/kind", {"1f1b", "dualpipe"}}, {"/schedule/stages", {4, 8}}};
  s.fields = {"/step_time_ms", "/tokens_per_s"};
  s.objective = "/tokens_per_s";
  s.maximise = true;
  std::vector<models::PointResult> rows;
  std::size_t i = 0;
  for (const char* kind : {"1f1b", "dualpipe"})
    for (int stages : {4, 8}) {
      models::PointResult r;
      r.index = i++;
      r.ok = true;
      r.values = {kind, stages};
      r.fields = {10.0 * stages, 100.0 / stages + (kind[0] == 'd' ? 5 : 0)};
      rows.push_back(r);
    }
  const std::size_t best = 2;  // dualpipe at 4 stages: 30 tokens/s
  const std::string time_chart = sweep_chart(s, rows, 0, 0, best);
  const std::string rate_by_kind = sweep_chart(s, rows, 1, 0, best);
  const std::string rate_by_stages = sweep_chart(s, rows, 1, 1, best);
  EXPECT_EQ(count(time_chart, "best point"), 0u);
  EXPECT_EQ(count(rate_by_kind, "best point"), 1u);
  EXPECT_EQ(count(rate_by_stages, "best point"), 1u);
  // The schedule kind is categorical: bars, one per point; stages: lines.
  EXPECT_EQ(count(rate_by_kind, "<path"), 0u);
  EXPECT_EQ(count(rate_by_kind, "<rect x=") - 1 - 2 - 1, 4u);  // minus frame, legend swatches, ring
  EXPECT_EQ(count(rate_by_stages, "<path"), 2u);
  EXPECT_NE(time_chart.find("/step_time_ms (ms)"), std::string::npos);
}

// Series (and their legend entries) follow the study's listed values, not
// their text: 4 stages before 16.
TEST(SweepChart, SeriesInTheListedOrder) {
  models::Study s;
  s.axes = {{"/schedule/kind", {"1f1b", "dualpipe"}}, {"/schedule/stages", {4, 16}}};
  s.fields = {"/step_time_ms"};
  s.objective = "/step_time_ms";
  std::vector<models::PointResult> rows;
  for (const char* kind : {"1f1b", "dualpipe"})
    for (int stages : {4, 16}) {
      models::PointResult r;
      r.index = rows.size();
      r.ok = true;
      r.values = {kind, stages};
      r.fields = {1.0 * stages};
      rows.push_back(r);
    }
  const std::string chart = sweep_chart(s, rows, 0, 0, rows.size());
  const std::size_t four = chart.find("/schedule/stages = 4<"), sixteen = chart.find("/schedule/stages = 16<");
  ASSERT_NE(four, std::string::npos);
  ASSERT_NE(sixteen, std::string::npos);
  EXPECT_LT(four, sixteen);
}

}  // namespace
}  // namespace v3sim::report
