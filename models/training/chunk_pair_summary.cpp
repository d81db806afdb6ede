#include "models/training/chunk_pair_summary.hpp"

#include <stdexcept>

namespace v3sim::models {
namespace {

constexpr int kPairOp = 1;  // chunk_pair_schedule(): F0, [F1 & B0], B1

double ms(sim::Time t) { return sim::to_seconds(t) * 1e3; }

// The classes of the communication segments: the plan's (the compute
// segments' come from their kernels as the engine ran them).
void add_comm_classes(std::map<std::string, double>& out, const std::vector<Segment>& segs, const TrainingResult& r) {
  for (const Segment& s : segs) {
    if (!s.comm) continue;
    for (const auto& [cls, t] : s.classes) out[cls] += ms(t);
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
  double elapsed[2] = {0, 0}, alone[2] = {0, 0};  // per compute stream
  for (const ComponentRecord& rec : r.components) {
    if (rec.op != kPairOp || rec.rank != 0 || rec.end <= rec.start) continue;
    if (!rec.comm) {
      elapsed[rec.second_stream] += static_cast<double>(rec.end - rec.start);
      alone[rec.second_stream] += static_cast<double>(rec.standalone);
      // Its classes at the stretch contention gave this kernel.
      const BlockPlan& b = r.plan.parts.at(static_cast<std::size_t>(rec.part)).blocks.at(static_cast<std::size_t>(rec.block_index));
      const std::vector<Segment>& list = rec.pass == Pass::kForward ? b.forward : rec.pass == Pass::kInput ? b.input : b.weight;
      const double stretch = rec.standalone > 0 ? static_cast<double>(rec.end - rec.start) / static_cast<double>(rec.standalone) : 1;
      for (const auto& [cls, t] : list.at(static_cast<std::size_t>(rec.segment)).classes) s.kernel_classes[cls] += ms(t) * stretch;
    }
    (rec.comm ? comm : compute).push_back({rec.start, rec.end});
    s.components[component_label(rec.component, rec.pass)] += ms(rec.end - rec.start);
    // The notify kernel's round of messages and wait for the last peer are
    // the engine's, not the plan's: they join its class here.
    if (rec.notify_wait > 0) s.kernel_classes[kNotifyClass] += ms(rec.notify_wait);
  }
  s.compute_busy_ms = ms(uncovered_time(compute, {}));
  s.comm_busy_ms = ms(uncovered_time(comm, {}));
  s.compute_stretch = alone[0] > 0 ? elapsed[0] / alone[0] : 1;
  s.second_stream_stretch = alone[1] > 0 ? elapsed[1] / alone[1] : 1;
  // The pair's forward chunk runs every block's forward, its backward chunk
  // every block's input and weight gradients (one model part).
  const PartPlan& part = r.plan.parts.at(0);
  for (const BlockPlan& b : part.blocks) {
    add_comm_classes(s.kernel_classes, b.forward, r);
    add_comm_classes(s.kernel_classes, b.input, r);
    add_comm_classes(s.kernel_classes, b.weight, r);
    s.layer_pairs += b.kind == BlockKind::kMoeLayer || b.kind == BlockKind::kDenseLayer || b.kind == BlockKind::kMtp;
  }
  return s;
}

}  // namespace v3sim::models
