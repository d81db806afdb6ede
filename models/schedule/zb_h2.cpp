// ZB-H2 (Qi et al., ICLR 2024): rank r may hold up to 2(p-r)-1 micro-batches
// in flight, so its warm-up runs that many forwards and fills the bubble
// before the first backward; weight gradients W wait until nothing on the
// critical path (I, then F) can run, which pushes them to the tail and turns
// the trapezoid of 1F1B into a parallelogram.
//
// The paper draws the schedule by hand; we derive the op order the same way
// it was drawn: list scheduling with unit op times (TF = TB = TW), each rank
// taking at every step the first runnable op in the priority I > F > W. The
// order is then fixed data and runs under any op times.
#include <algorithm>

#include "models/schedule/schedule.hpp"

namespace v3sim::models {

Schedule make_zbh2(const ScheduleSpec& spec) {
  Schedule s = linear_schedule(spec);
  const int p = s.ranks, m = spec.microbatches;
  constexpr int kNever = -1;
  // Unit-time step at whose end each rank's F and I of a micro-batch finish.
  std::vector<std::vector<int>> f_end(p, std::vector<int>(m, kNever));
  std::vector<std::vector<int>> i_end(p, std::vector<int>(m, kNever));
  std::vector<int> nf(p, 0), ni(p, 0), nw(p, 0);
  auto done_by = [](int end, int t) { return end != kNever && end <= t; };

  for (int t = 0; std::any_of(nw.begin(), nw.end(), [&](int w) { return w < m; }); ++t) {
    std::vector<OpKind> pick(p, OpKind::kFB);  // kFB: idle this step
    for (int r = 0; r < p; ++r) {
      const int cap = 2 * (p - r) - 1;
      const bool can_i = ni[r] < nf[r] && done_by(f_end[r][ni[r]], t) &&
                         (r == p - 1 || done_by(i_end[r + 1][ni[r]], t));
      const bool can_f = nf[r] < m && nf[r] - ni[r] < cap && (r == 0 || done_by(f_end[r - 1][nf[r]], t));
      const bool can_w = nw[r] < ni[r] && done_by(i_end[r][nw[r]], t);
      pick[r] = can_i ? OpKind::kI : can_f ? OpKind::kF : can_w ? OpKind::kW : OpKind::kFB;
    }
    for (int r = 0; r < p; ++r) {
      switch (pick[r]) {
        case OpKind::kI:
          i_end[r][ni[r]] = t + 1;
          s.programs[r].push_back(make_op(OpKind::kI, {0, r, ni[r]++}));
          break;
        case OpKind::kF:
          f_end[r][nf[r]] = t + 1;
          s.programs[r].push_back(make_op(OpKind::kF, {0, r, nf[r]++}));
          break;
        case OpKind::kW:
          s.programs[r].push_back(make_op(OpKind::kW, {0, r, nw[r]++}));
          break;
        default:
          break;
      }
    }
  }
  return s;
}

}  // namespace v3sim::models
