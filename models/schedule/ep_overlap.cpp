#include "models/schedule/ep_overlap.hpp"

#include <stdexcept>

namespace v3sim::models {

Schedule with_ep_overlap(Schedule s) {
  if (s.spec.kind != ScheduleKind::k1F1B && s.spec.kind != ScheduleKind::kInterleaved1F1B)
    throw std::invalid_argument(schedule_kind_name(s.spec.kind) +
                                " has no Megatron all-to-all overlap; it applies to 1f1b and interleaved_1f1b");
  for (Program& prog : s.programs) {
    std::vector<Op> forwards, backwards;
    std::size_t warmup = 0;
    for (const Op& op : prog) {
      (op.kind == OpKind::kF ? forwards : backwards).push_back(op);
      if (op.kind == OpKind::kF && backwards.empty()) ++warmup;
    }
    Program fused;
    std::size_t f = 0, b = 0;
    // The forwards before the first backward: the schedule's warm-up and
    // its first steady-state forward, i.e. Megatron-Core's warm-up with the
    // one extra forward.
    for (; f < forwards.size() && f < warmup; ++f) fused.push_back(forwards[f]);
    for (; f < forwards.size() && b < backwards.size(); ++f, ++b) fused.push_back(make_pair(forwards[f].a, backwards[b].a));
    for (; f < forwards.size(); ++f) fused.push_back(forwards[f]);
    for (; b < backwards.size(); ++b) fused.push_back(backwards[b]);
    prog = std::move(fused);
  }
  return s;
}

}  // namespace v3sim::models
