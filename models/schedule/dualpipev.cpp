// DualPipeV (deepseek-ai/DualPipe, dualpipe/dualpipev.py): N ranks hold 2N
// stages folded into a V: rank r runs stage r on the way down and stage
// 2N-1-r on the way back; every micro-batch enters and leaves at rank 0.
// Its program is ranks 0..N-1 of DualPipe with 2N ranks and 2C micro-batches,
// where DualPipe's reverse lane on those ranks becomes the V's way back.
#include <stdexcept>

#include "models/schedule/schedule.hpp"

namespace v3sim::models {

Schedule make_dualpipev(const ScheduleSpec& spec) {
  const int stages = spec.stages, n = stages / 2;
  ScheduleSpec full = spec;
  full.kind = ScheduleKind::kDualPipe;
  full.microbatches = 2 * spec.microbatches;
  const Schedule dual = make_dualpipe(full);

  Schedule s;
  s.spec = spec;
  s.ranks = n;
  s.model_parts = stages;
  s.rank_of.assign(1, std::vector<int>(stages));
  s.part_of.assign(1, std::vector<int>(stages));
  for (int st = 0; st < stages; ++st) {
    s.rank_of[0][st] = st < n ? st : stages - 1 - st;
    s.part_of[0][st] = st;
  }
  s.lane_microbatches = {spec.microbatches};
  // DualPipe lane 0 on rank r is stage r of the V; lane 1 on rank r is its
  // stage 2N-1-r, i.e. DualPipe's reverse-lane stage index, unchanged.
  auto fold = [](Chunk c) { return Chunk{0, c.stage, c.microbatch}; };
  s.programs.assign(n, {});
  for (int r = 0; r < n; ++r) {
    for (const Op& op : dual.programs[r]) {
      Op v = op;
      v.a = fold(op.a);
      if (op.kind == OpKind::kFB) v.b = fold(op.b);
      s.programs[r].push_back(v);
    }
  }
  return s;
}

}  // namespace v3sim::models
