// ZB-H1, "ZB1P" (Qi et al., ICLR 2024): 1F1B with each backward split into an
// input-gradient part I and a weight-gradient part W. Rank r keeps 1F1B's
// p-r-1 warm-up forwards, runs steady (F, I) pairs and, once r pairs are
// behind it, one W after each pair; the cool-down runs (I, W) and the W still
// owed come last. Its activation peak equals 1F1B's.
#include <algorithm>

#include "models/schedule/schedule.hpp"

namespace v3sim::models {

Schedule make_zb1p(const ScheduleSpec& spec) {
  Schedule s = linear_schedule(spec);
  const int p = s.ranks, m = spec.microbatches;
  for (int r = 0; r < p; ++r) {
    Program& prog = s.programs[r];
    int next_w = 0;
    auto w = [&] { prog.push_back(make_op(OpKind::kW, {0, r, next_w++})); };
    const int warmup = std::min(p - r - 1, m);
    for (int i = 0; i < warmup; ++i) prog.push_back(make_op(OpKind::kF, {0, r, i}));
    for (int j = 0; j < m - warmup; ++j) {
      prog.push_back(make_op(OpKind::kF, {0, r, warmup + j}));
      prog.push_back(make_op(OpKind::kI, {0, r, j}));
      if (j >= r) w();
    }
    for (int j = m - warmup; j < m; ++j) {
      prog.push_back(make_op(OpKind::kI, {0, r, j}));
      w();
    }
    while (next_w < m) w();
  }
  return s;
}

}  // namespace v3sim::models
