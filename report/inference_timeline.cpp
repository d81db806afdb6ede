#include "report/inference_timeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "report/html_escape.hpp"

namespace v3sim::report {
namespace {

bool prefill(const models::InferenceResult& r) { return r.spec.phase == models::InferencePhase::kPrefill; }

double ms(sim::Time t) { return static_cast<double>(t) * 1e-6; }

}  // namespace

const char* inference_stage_colour(const std::string& stage) {
  static const std::map<std::string, const char*> colours = {
      {"ATTN", "#f4b183"},   {"ATTN-0", "#f4b183"}, {"ATTN-1", "#f8cbad"},   {"SHARED", "#a9d18e"},
      {"MLP", "#9dc3e6"},    {"HEAD", "#d9d9d9"},   {"DISPATCH", "#ffd966"}, {"COMBINE", "#c9a0dc"},
      {"SEND", "#bf9000"},   {"RECV", "#7030a0"}};
  auto it = colours.find(stage);
  return it == colours.end() ? "#cccccc" : it->second;
}

std::string inference_legend(const models::InferenceResult& r) {
  std::set<std::string> seen;
  std::string html = "<div class=\"legend\">";
  for (const models::InferenceTaskRecord& t : r.tasks)
    if (seen.insert(t.stage).second)
      html += fmt::format("<span><i style=\"background:{}\"></i>{}</span>", inference_stage_colour(t.stage),
                          html_escape(t.stage));
  return html + "</div>";
}

std::pair<double, double> inference_layer_window(const models::InferenceResult& r, int layer) {
  double lo = -1, hi = 0;
  for (const models::InferenceTaskRecord& t : r.tasks)
    if (t.gpu == 0 && t.layer == layer && t.end > t.start) {
      lo = lo < 0 ? ms(t.start) : std::min(lo, ms(t.start));
      hi = std::max(hi, ms(t.end));
    }
  return lo < 0 ? std::pair{0.0, 0.0} : std::pair{lo, hi};
}

Timeline inference_timeline(const models::InferenceResult& r, double from_ms, double to_ms, double scale_ms,
                            const std::string& group) {
  Timeline t;
  t.group = group;
  t.span_ms = to_ms - from_ms;
  t.scale_ms = scale_ms;
  t.left_px = 110;
  // Decode's exchanges are in flight, not on a stream: those of the two
  // micro-batches may overlap, so each takes half the lane.
  const bool halves = !prefill(r) && r.micro_batches > 1;
  std::vector<int> gpus{0};
  if (r.slowest_gpu != 0) gpus.push_back(r.slowest_gpu);
  for (int g : gpus) {
    TimelineLane compute, comm;
    compute.label = fmt::format("GPU {}{}", g, g == r.slowest_gpu && g != 0 ? " (busiest)" : "");
    compute.gap_after = 1;
    comm.label = prefill(r) ? "comm SMs" : "NIC (bytes on the wire)";
    comm.comm = true;
    comm.height = 16;
    comm.gap_after = 10;
    for (const models::InferenceTaskRecord& task : r.tasks) {
      const double s = ms(task.start), e = ms(task.end);
      if (task.gpu != g || e <= s || e <= from_ms || s >= to_ms) continue;
      TimelineItem it;
      it.start_ms = std::max(s, from_ms) - from_ms;
      it.end_ms = std::min(e, to_ms) - from_ms;
      it.kind = task.stage;
      it.fill = inference_stage_colour(task.stage);
      it.label = fmt::format("{} mb{}", task.stage, task.micro_batch);
      it.tip = fmt::format("{}, micro-batch {}, layer {}{}, GPU {}\n{:.4g} to {:.4g} ms ({:.1f} us)", task.stage,
                           task.micro_batch, task.layer,
                           task.layer >= r.spec.model.layers ? " (the MTP module)" : "", g, s, e,
                           (e - s) * 1e3);
      if (task.exchange && halves) it.half = task.micro_batch == 0 ? 1 : 2;
      (task.exchange ? comm : compute).items.push_back(std::move(it));
    }
    for (TimelineLane* lane : {&compute, &comm})
      std::stable_sort(lane->items.begin(), lane->items.end(),
                       [](const TimelineItem& a, const TimelineItem& b) { return a.start_ms < b.start_ms; });
    t.lanes.push_back(std::move(compute));
    t.lanes.push_back(std::move(comm));
  }
  return t;
}

}  // namespace v3sim::report
