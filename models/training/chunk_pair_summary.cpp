#include "models/training/chunk_pair_summary.hpp"

#include <stdexcept>

namespace v3sim::models {
namespace {

constexpr int kPairOp = 1;  // chunk_pair_schedule(): F0, [F1 & B0], B1

double ms(sim::Time t) { return sim::to_seconds(t) * 1e3; }

void add_classes(std::map<std::string, double>& out, const std::vector<Segment>& segs, double compute_scale,
                 const TrainingResult& r) {
  for (const Segment& s : segs) {
    for (const auto& [cls, t] : s.classes) out[cls] += ms(t) * (s.comm ? 1 : compute_scale);
    if (s.comm && s.phase >= 0)
      out[s.phase_class] += ms(r.phase_time[static_cast<std::size_t>(s.phase)]) * s.phase_scale;
  }
}

}  // namespace

ChunkPairSummary summarize_chunk_pair(const TrainingResult& r) {
  if (!r.spec.chunk_pair) throw std::logic_error("summarize_chunk_pair: not a chunk_pair run");
  ChunkPairSummary s;
  const OpRecord& pair = r.pipeline.ranks.at(0).ops.at(kPairOp);
  s.span_ms = ms(pair.end - pair.start);
  std::vector<std::pair<sim::Time, sim::Time>> compute, comm;
  for (const ComponentRecord& rec : r.components) {
    if (rec.op != kPairOp || rec.rank != 0 || rec.end <= rec.start) continue;
    (rec.comm ? comm : compute).push_back({rec.start, rec.end});
    s.components[component_label(rec.component, rec.pass)] += ms(rec.end - rec.start);
    // The notify kernel's round of messages and wait for the last peer are
    // the engine's, not the plan's: they join its class here.
    if (rec.notify_wait > 0) s.kernel_classes[kNotifyClass] += ms(rec.notify_wait);
  }
  s.compute_busy_ms = ms(uncovered_time(compute, {}));
  s.comm_busy_ms = ms(uncovered_time(comm, {}));
  // The pair's forward chunk runs every block's forward, its backward chunk
  // every block's input and weight gradients (one model part).
  const PartPlan& part = r.plan.parts.at(0);
  const double slowdown = r.plan.pair_compute_slowdown;
  for (const BlockPlan& b : part.blocks) {
    add_classes(s.kernel_classes, b.forward, slowdown, r);
    add_classes(s.kernel_classes, b.input, slowdown, r);
    add_classes(s.kernel_classes, b.weight, slowdown, r);
    s.layer_pairs += b.kind == BlockKind::kMoeLayer || b.kind == BlockKind::kDenseLayer || b.kind == BlockKind::kMtp;
  }
  return s;
}

}  // namespace v3sim::models
