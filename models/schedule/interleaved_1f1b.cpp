// Interleaved 1F1B (Narayanan et al., 2021; Megatron-LM's
// forward_backward_pipelining_with_interleaving): each of the p ranks holds v
// model chunks; chunk c of rank r is virtual stage c*p + r. Micro-batches run
// in groups of p through one chunk before moving to the next.
#include <algorithm>

#include "models/schedule/schedule.hpp"

namespace v3sim::models {

Schedule make_interleaved_1f1b(const ScheduleSpec& spec) {
  const int p = spec.stages, v = spec.chunks, m = spec.microbatches;
  Schedule s;
  s.spec = spec;
  s.ranks = p;
  s.model_parts = p * v;
  s.rank_of.assign(1, {});
  s.part_of.assign(1, {});
  for (int st = 0; st < p * v; ++st) {
    s.rank_of[0].push_back(st % p);
    s.part_of[0].push_back(st);
  }
  s.lane_microbatches = {m};
  s.programs.assign(p, {});

  const int total = m * v;  // virtual micro-batches per rank
  for (int r = 0; r < p; ++r) {
    // Megatron: with as many micro-batches as ranks, everything is warm-up.
    const int warmup = m == p ? total : std::min((p - r - 1) * 2 + (v - 1) * p, total);
    auto mb = [&](int k) { return (k / (p * v)) * p + k % p; };
    auto forward = [&](int k) {
      const int chunk = (k % (p * v)) / p;
      return make_op(OpKind::kF, {0, chunk * p + r, mb(k)});
    };
    auto backward = [&](int k) {
      const int chunk = v - 1 - (k % (p * v)) / p;
      return make_op(OpKind::kB, {0, chunk * p + r, mb(k)});
    };
    Program& prog = s.programs[r];
    for (int k = 0; k < warmup; ++k) prog.push_back(forward(k));
    for (int k = 0; k < total - warmup; ++k) {
      prog.push_back(forward(warmup + k));
      prog.push_back(backward(k));
    }
    for (int k = total - warmup; k < total; ++k) prog.push_back(backward(k));
  }
  return s;
}

}  // namespace v3sim::models
