// ZB-H2 (Qi et al., ICLR 2024): rank r may hold up to 2(p-r)-1 micro-batches
// in flight, so its warm-up runs extra forwards into what would be 1F1B's
// idle time before the first backward, and the later ranks hold back weight
// gradients W to the tail, which turns the trapezoid of 1F1B into a
// parallelogram.
//
// The op order is the authors' own, so that the schedule is the one their
// published bubble rates (Table 5) were computed on: `get_hand_schedule(p, n,
// f, b, w, c, warmup_c=2)` in megatron/core/pipeline_parallel/efficiency.py of
// sail-sg/zero-bubble-pipeline-parallelism at commit
// f68d38794764d7d937f4942dca3a1e9a07544898. Rank r runs 2(p-r-1) warm-up
// forwards, then for each micro-batch j a forward (while any is left), the
// input-gradient backward I_j (their "B") and, once j >= 2r, one W; the 2r
// weight gradients still owed close the program. (With warmup_c=1 the same
// generator is ZB-H1, as in zb_h1.cpp.) The authors require m >= 2p; with
// fewer micro-batches the warm-up is capped at m, as 1F1B's is.
#include <algorithm>

#include "models/schedule/schedule.hpp"

namespace v3sim::models {

Schedule make_zbh2(const ScheduleSpec& spec) {
  Schedule s = linear_schedule(spec);
  const int p = s.ranks, m = spec.microbatches;
  for (int r = 0; r < p; ++r) {
    Program& prog = s.programs[r];
    int next_f = 0, next_w = 0;
    auto f = [&] { prog.push_back(make_op(OpKind::kF, {0, r, next_f++})); };
    auto w = [&] { prog.push_back(make_op(OpKind::kW, {0, r, next_w++})); };
    const int warmup = std::min(2 * (p - r - 1), m);
    while (next_f < warmup) f();
    for (int j = 0; j < m; ++j) {
      if (next_f < m) f();
      prog.push_back(make_op(OpKind::kI, {0, r, j}));
      if (j >= 2 * r) w();
    }
    while (next_w < m) w();
  }
  return s;
}

}  // namespace v3sim::models
