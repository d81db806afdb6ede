// GPipe (Huang et al., 2019): every forward, then every backward, both in
// micro-batch order; all micro-batches' activations are live at the turn.
#include "models/schedule/schedule.hpp"

namespace v3sim::models {

Schedule make_gpipe(const ScheduleSpec& spec) {
  Schedule s = linear_schedule(spec);
  for (int r = 0; r < s.ranks; ++r) {
    for (int m = 0; m < spec.microbatches; ++m) s.programs[r].push_back(make_op(OpKind::kF, {0, r, m}));
    for (int m = 0; m < spec.microbatches; ++m) s.programs[r].push_back(make_op(OpKind::kB, {0, r, m}));
  }
  return s;
}

}  // namespace v3sim::models
