#include "report/pipeline_timeline.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/schedule/notation.hpp"
#include "report/component_style.hpp"
#include "report/dp_tail.hpp"

namespace v3sim::report {
namespace {

using models::OpKind;

constexpr const char* kTailColour = "#8c8c8c";

const char* kind_word(OpKind k) {
  switch (k) {
    case OpKind::kF: return "forward";
    case OpKind::kB: return "full backward";
    case OpKind::kI: return "input-gradient backward";
    case OpKind::kW: return "weight gradient";
    case OpKind::kFB: return "overlapped forward and backward";
  }
  return "?";
}

double ms(sim::Time t) { return sim::to_ms(t); }

// The micro-batch number and lane marker, e.g. "3r", drawn inside the op.
std::string suffix(const models::Schedule& s, const models::Chunk& c) {
  return models::format_chunk(s, OpKind::kF, c).substr(1);
}

void add_ops(TimelineLane& lane, const models::Schedule& s, const models::RankResult& rank) {
  for (const models::OpRecord& rec : rank.ops) {
    const double a = ms(rec.start), b = ms(rec.end);
    if (rec.op.kind == OpKind::kFB) {
      lane.items.push_back({a, b, "F&B", op_colour(OpKind::kF, models::chunk_on_rank(s, rec.op.a)), suffix(s, rec.op.a), "", 1, true});
      set_op_tip(s, rec, lane.items.back());
      lane.items.push_back({a, b, "F&B", op_colour(OpKind::kB, models::chunk_on_rank(s, rec.op.b)), suffix(s, rec.op.b), "", 2, false});
      set_op_tip(s, rec, lane.items.back());
    } else {
      lane.items.push_back({a, b, models::op_kind_letter(rec.op.kind), op_colour(rec.op.kind, models::chunk_on_rank(s, rec.op.a)),
                            suffix(s, rec.op.a), "", 0, true});
      set_op_tip(s, rec, lane.items.back());
    }
  }
}

void sort_items(TimelineLane& lane) {
  std::stable_sort(lane.items.begin(), lane.items.end(),
                   [](const TimelineItem& x, const TimelineItem& y) { return x.start_ms < y.start_ms; });
}

}  // namespace

std::string op_colour(OpKind kind, int chunk) {
  const bool deep = chunk > 0;
  switch (kind) {
    case OpKind::kF: return deep ? "#e8903c" : "#f8cb9c";
    case OpKind::kB: return deep ? "#6aa84f" : "#b6d7a8";
    case OpKind::kI: return deep ? "#8fc47a" : "#d9ead3";
    case OpKind::kW: return deep ? "#5b8fd1" : "#a4c2f4";
    case OpKind::kFB: return "#ffffff";
  }
  return "#cccccc";
}

std::vector<std::string> op_tip_templates() {
  std::vector<std::string> t;
  for (OpKind k : {OpKind::kF, OpKind::kB, OpKind::kI, OpKind::kW})
    t.push_back(std::string("{0} (") + kind_word(k) + ")\n{0}: micro-batch {1}, lane {2}, stage {3}, chunk {4} of its rank");
  t.push_back(std::string("{0} (") + kind_word(OpKind::kFB) +
              ")\nforward {1}: micro-batch {2}, lane {3}, stage {4}, chunk {5} of its rank\n"
              "backward {6}: micro-batch {7}, lane {8}, stage {9}, chunk {10} of its rank");
  return t;
}

void set_op_tip(const models::Schedule& s, const models::OpRecord& rec, TimelineItem& it) {
  auto chunk = [&](OpKind kind, const models::Chunk& c) {
    for (const std::string& a : {models::format_chunk(s, kind, c), std::to_string(c.microbatch), std::to_string(c.lane),
                                 std::to_string(c.stage), std::to_string(models::chunk_on_rank(s, c))})
      it.tip_args.push_back(a);
  };
  it.tip_args.clear();
  if (rec.op.kind == OpKind::kFB) {
    it.tip_template = 4;
    it.tip_args.push_back(models::format_op(s, rec.op));
    chunk(OpKind::kF, rec.op.a);
    chunk(OpKind::kB, rec.op.b);
    return;
  }
  it.tip_template = static_cast<int>(rec.op.kind);  // kF 0, kB 1, kI 2, kW 3
  chunk(rec.op.kind, rec.op.a);
}

std::string pipeline_legend(bool sends, bool all_to_all, bool tail) {
  std::string out = R"(<p class="legend">)";
  const std::pair<const char*, OpKind> items[] = {{"F forward", OpKind::kF},
                                                  {"B full backward", OpKind::kB},
                                                  {"I input-gradient backward", OpKind::kI},
                                                  {"W weight gradient", OpKind::kW}};
  for (const auto& [name, kind] : items)
    out += fmt::format(R"(<span><i style="background:{}"></i><i style="background:{}"></i>{}</span>)", op_colour(kind, 0),
                       op_colour(kind, 1), name);
  out += "<span>[F&amp;B] overlapped pair: forward half above, backward half below; deeper shade: a rank's second chunk "
         "(DualPipe reverse direction, DualPipeV way back, interleaved chunk &gt; 0); labels: micro-batch and lane "
         "marker</span>";
  if (sends)
    out += R"(<br><span>comm lane: <i style="background:#e69138"></i>send of activations <i style="background:#6aa84f"></i>)"
           "send of gradients</span>";
  if (all_to_all)
    out += fmt::format(R"(<br><span>comm lane (all-to-all kernels on the communication SMs): <i style="background:{}"></i>)"
                       R"(forward <i style="background:{}"></i>backward <i style="background:{}"></i>weight pass; hover for )"
                       "dispatch or combine</span>",
                       pass_colour(models::Pass::kForward, true), pass_colour(models::Pass::kInput, true),
                       pass_colour(models::Pass::kWeight, true));
  if (tail)
    out += fmt::format(R"( <span><i style="background:{}"></i>data-parallel tail (gradient sums, optimizer step, )"
                       "all-gather)</span>",
                       kTailColour);
  return out + "</p>";
}

Timeline pipeline_timeline(const models::PipelineResult& r, double scale_ms, const std::string& group) {
  Timeline t;
  t.group = group;
  t.tips_without_times = true;
  t.tip_templates = op_tip_templates();
  t.span_ms = ms(r.step_time);
  t.scale_ms = scale_ms;
  bool any_sends = false;
  for (const models::RankResult& rank : r.ranks) any_sends |= !rank.sends.empty();
  for (const models::RankResult& rank : r.ranks) {
    TimelineLane lane{fmt::format("rank {}", rank.rank), false, 22, any_sends ? 1.0 : 4.0, {}};
    add_ops(lane, r.schedule, rank);
    sort_items(lane);
    t.lanes.push_back(std::move(lane));
    if (!any_sends) continue;
    TimelineLane comm{"sends", true, 9, 5, {}};
    for (const models::TransferRecord& x : rank.sends) {
      const OpKind k = x.gradient ? OpKind::kB : OpKind::kF;
      const std::string name = models::format_chunk(r.schedule, k, x.chunk);
      comm.items.push_back({ms(x.start), ms(x.end), x.gradient ? "send of gradients" : "send of activations",
                            x.gradient ? "#6aa84f" : "#e69138", "",
                            fmt::format("send {} ({}) from rank {} to rank {}", name,
                                        x.gradient ? "gradients" : "activations", x.from_rank, x.to_rank),
                            0, true});
    }
    sort_items(comm);
    t.lanes.push_back(std::move(comm));
  }
  return t;
}

Timeline training_timeline(const models::TrainingResult& r, double scale_ms, const std::string& group) {
  Timeline t = training_timeline(r.pipeline, r.components, r.step_time_s * 1000, scale_ms, group);
  // The data-parallel tail closes each rank's comm lane (not counted as ops).
  for (const models::TrainingRank& k : r.ranks) {
    const auto lane = 2 * static_cast<std::size_t>(k.rank) + 1;
    if (lane >= t.lanes.size()) continue;
    for (const TailPhase& p : dp_tail(r, k))
      t.lanes[lane].items.push_back({ms(p.start), ms(p.start + p.duration), "data-parallel tail", kTailColour, "",
                                     fmt::format("{} (data-parallel tail)", p.name),
                                     0, false});
  }
  return t;
}

Timeline training_timeline(const models::PipelineResult& pipeline, const std::vector<models::ComponentRecord>& components,
                           double step_ms, double scale_ms, const std::string& group) {
  Timeline t;
  t.group = group;
  t.tips_without_times = true;
  t.tip_templates = op_tip_templates();
  // The step ends after the data-parallel tail, later than the last op.
  t.span_ms = std::max(step_ms, ms(pipeline.step_time));
  t.scale_ms = scale_ms;
  const models::Schedule& s = pipeline.schedule;
  std::vector<TimelineLane> comm(pipeline.ranks.size());
  for (const models::ComponentRecord& c : components) {
    if (!c.comm || c.rank < 0 || static_cast<std::size_t>(c.rank) >= comm.size()) continue;
    const auto& ops = pipeline.ranks[static_cast<std::size_t>(c.rank)].ops;
    const std::string op = c.op >= 0 && static_cast<std::size_t>(c.op) < ops.size() ? models::format_op(s, ops[static_cast<std::size_t>(c.op)].op) : "?";
    const std::string label = component_pass_label(c.component, c.pass);
    comm[static_cast<std::size_t>(c.rank)].items.push_back(
        {ms(c.start), ms(c.end), label, pass_colour(c.pass, true), "",
         fmt::format("{} of {} (layer unit {})", label, op, c.unit),
         0, true});
  }
  for (const models::RankResult& rank : pipeline.ranks) {
    TimelineLane lane{fmt::format("rank {}", rank.rank), false, 22, 1, {}};
    add_ops(lane, s, rank);
    sort_items(lane);
    t.lanes.push_back(std::move(lane));
    TimelineLane& c = comm[static_cast<std::size_t>(rank.rank)];
    c.label = "comm SMs";
    c.comm = true;
    c.height = 9;
    c.gap_after = 5;
    sort_items(c);
    t.lanes.push_back(std::move(c));
  }
  return t;
}

}  // namespace v3sim::report
