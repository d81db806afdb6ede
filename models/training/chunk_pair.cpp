#include "models/training/chunk_pair.hpp"

namespace v3sim::models {

Schedule chunk_pair_schedule() {
  Schedule s;
  s.spec.kind = ScheduleKind::k1F1B;
  s.spec.stages = 1;
  s.spec.microbatches = 2;
  s.ranks = 1;
  s.rank_of = {{0}};
  s.part_of = {{0}};
  s.model_parts = 1;
  s.lane_microbatches = {2};
  const Chunk first{0, 0, 0}, second{0, 0, 1};
  s.programs = {{make_op(OpKind::kF, first), make_pair(second, first), make_op(OpKind::kB, second)}};
  return s;
}

}  // namespace v3sim::models
