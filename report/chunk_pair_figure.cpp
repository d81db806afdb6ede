#include "report/chunk_pair_figure.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "models/schedule/notation.hpp"
#include "report/component_style.hpp"
#include "report/html_escape.hpp"
#include "report/timeline_svg.hpp"

namespace v3sim::report {
namespace {

// The figure's short names: ATTN, DISPATCH, MLP, COMBINE.
const char* short_name(models::Component c) {
  switch (c) {
    case models::Component::kAttention: return "ATTN";
    case models::Component::kDispatch: return "DISPATCH";
    case models::Component::kMlp: return "MLP";
    case models::Component::kCombine: return "COMBINE";
  }
  return "?";
}

}  // namespace

ChunkPairChoice chunk_pair_op(const models::TrainingResult& r) {
  const int ranks = static_cast<int>(r.pipeline.ranks.size());
  // Per (rank, op): whether a dispatch and a combine ran in it.
  std::map<std::pair<int, int>, std::pair<bool, bool>> exchanges;
  for (const models::ComponentRecord& c : r.components) {
    auto& [dispatch, combine] = exchanges[{c.rank, c.op}];
    dispatch |= c.component == models::Component::kDispatch && c.comm;
    combine |= c.component == models::Component::kCombine && c.comm;
  }
  ChunkPairChoice any;
  for (int k = 0; k < ranks; ++k) {
    // The middle rank, then one below, one above, and so on.
    const int rank = ranks / 2 + (k % 2 == 1 ? -(k + 1) / 2 : k / 2);
    if (rank < 0 || rank >= ranks) continue;
    const auto& ops = r.pipeline.ranks[static_cast<std::size_t>(rank)].ops;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (ops[i].op.kind != models::OpKind::kFB) continue;
      if (any.op < 0) any = {rank, static_cast<int>(i)};
      const auto it = exchanges.find({rank, static_cast<int>(i)});
      if (it != exchanges.end() && it->second.first && it->second.second) return {rank, static_cast<int>(i)};
    }
  }
  return any;
}

std::string chunk_pair_figure(const models::TrainingResult& r) {
  const auto [rank, op] = chunk_pair_op(r);
  std::string html = "<h2>One overlapped chunk pair (after DeepSeek-V3, Figure 4)</h2>\n";
  if (op < 0) return html + "<p>This schedule runs no overlapped forward-and-backward pair, so there is none to draw.</p>\n";
  std::vector<const models::ComponentRecord*> parts;
  for (const models::ComponentRecord& c : r.components)
    if (c.rank == rank && c.op == op) parts.push_back(&c);
  const models::Op& pair = r.pipeline.ranks[static_cast<std::size_t>(rank)].ops[static_cast<std::size_t>(op)].op;
  const std::string name = models::format_op(r.pipeline.schedule, pair);
  if (parts.empty()) return html + "<p>No component kernels were recorded for " + html_escape(name) + ".</p>\n";
  sim::Time t0 = parts.front()->start, t1 = parts.front()->end;
  bool second = false;
  for (const models::ComponentRecord* c : parts) {
    t0 = std::min(t0, c->start);
    t1 = std::max(t1, c->end);
    second |= !c->comm && c->second_stream;
  }
  Timeline t;
  t.tips_without_times = true;
  t.group = "pair";
  t.span_ms = sim::to_ms(t1 - t0);
  t.left_px = 150;  // room for the lanes' labels
  t.axis_title = "time from the pair's first kernel";
  t.lanes.push_back({"computation", false, 30, 4, {}});
  if (second) t.lanes.push_back({"2nd compute stream", false, 30, 4, {}});
  t.lanes.push_back({"communication", true, 30, 4, {}});
  for (const models::ComponentRecord* c : parts) {
    const double a = sim::to_ms(c->start - t0), b = sim::to_ms(c->end - t0);
    const std::string label = component_pass_label(c->component, c->pass);
    const std::string tip = fmt::format("{} of the {} chunk, {} (layer unit {}){}", label,
                                        c->pass == models::Pass::kForward ? "forward" : "backward", block_word(c->block),
                                        c->unit, c->second_stream ? ", second compute stream" : "");
    TimelineLane& lane = c->comm ? t.lanes.back() : (second && c->second_stream ? t.lanes[1] : t.lanes.front());
    lane.items.push_back({a, b, label, pass_colour(c->pass, false),
                          std::string(short_name(c->component)) + "(" + component_pass_letter(c->pass) + ")", tip, 0, true});
  }
  for (TimelineLane& l : t.lanes)
    std::stable_sort(l.items.begin(), l.items.end(),
                     [](const TimelineItem& x, const TimelineItem& y) { return x.start_ms < y.start_ms; });
  TimelineStats stats;
  const std::string svg = draw_timeline(t, &stats);
  html += fmt::format("<p>Rank {}'s op {} (position {} in its program): {} component kernels over {:.3f} ms. "
                      "F: forward chunk; B: backward chunk, input gradient; W: backward chunk, weight gradient.</p>\n",
                      rank, html_escape(name), op, parts.size(), t.span_ms);
  html += fmt::format(R"(<p class="legend"><span><i style="background:{}"></i>forward chunk (F)</span>)"
                      R"(<span><i style="background:{}"></i>backward chunk, input gradient (B)</span>)"
                      R"(<span><i style="background:{}"></i>backward chunk, weight gradient (W)</span></p>)",
                      pass_colour(models::Pass::kForward, false), pass_colour(models::Pass::kInput, false),
                      pass_colour(models::Pass::kWeight, false));
  html += "\n" + timeline_controls(t.group) + "\n" + svg + "\n" + aggregation_note(stats);
  return html;
}

}  // namespace v3sim::report
