// 1F1B in Megatron's order (Narayanan et al., 2021): rank r runs p-r-1
// warm-up forwards, then alternates one forward and one backward, then drains
// the remaining backwards.
#include <algorithm>

#include "models/schedule/schedule.hpp"

namespace v3sim::models {

Schedule make_1f1b(const ScheduleSpec& spec) {
  Schedule s = linear_schedule(spec);
  const int p = s.ranks, m = spec.microbatches;
  for (int r = 0; r < p; ++r) {
    Program& prog = s.programs[r];
    const int warmup = std::min(p - r - 1, m);
    for (int i = 0; i < warmup; ++i) prog.push_back(make_op(OpKind::kF, {0, r, i}));
    for (int j = 0; j < m - warmup; ++j) {
      prog.push_back(make_op(OpKind::kF, {0, r, warmup + j}));
      prog.push_back(make_op(OpKind::kB, {0, r, j}));
    }
    for (int j = m - warmup; j < m; ++j) prog.push_back(make_op(OpKind::kB, {0, r, j}));
  }
  return s;
}

}  // namespace v3sim::models
