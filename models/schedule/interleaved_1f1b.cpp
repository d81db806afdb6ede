// Interleaved 1F1B (Narayanan et al., 2021), as Megatron-Core's
// forward_backward_pipelining_with_interleaving runs it: each of the p ranks
// holds v model chunks; chunk c of rank r is virtual stage c*p + r.
// Micro-batches run in groups of N (microbatch_group_size_per_vp_stage, N >= p)
// through one chunk before the next; the last group takes the remainder
// (Megatron-Core's get_schedule_table). Rank r warms up with
// (p - r - 1) * 2 + (v - 1) * N forwards (get_pp_rank_microbatches); a
// backward walks the same table with the chunks reversed.
#include <algorithm>
#include <utility>

#include "models/schedule/schedule.hpp"

namespace v3sim::models {
namespace {

bool valid_group(int n, int p, int m) { return n >= p && n <= m && (m % n == 0 || m % n >= p); }

}  // namespace

int interleaved_group(const ScheduleSpec& spec) {
  const int p = spec.stages, m = spec.microbatches;
  if (spec.microbatch_group > 0) return spec.microbatch_group;
  for (int n = p; n < m; ++n)
    if (valid_group(n, p, m)) return n;
  return m;  // one group: valid whenever m >= p
}

std::optional<SpecProblem> check_interleaved_group(const ScheduleSpec& s) {
  const int n = interleaved_group(s), p = s.stages, m = s.microbatches;
  const std::string sz = std::to_string(n);
  if (m < p)
    return SpecProblem{"microbatches", "interleaved_1f1b needs at least as many micro-batches (" + std::to_string(m) +
                                           ") as stages (" + std::to_string(p) + ")"};
  if (n < p || n > m)
    return SpecProblem{"microbatch_group", "interleaved_1f1b needs a micro-batch group (" + sz + ") between the stages (" +
                                               std::to_string(p) + ") and the micro-batches (" + std::to_string(m) + ")"};
  if (!valid_group(n, p, m))
    return SpecProblem{"microbatch_group", "interleaved_1f1b needs micro-batches (" + std::to_string(m) +
                                               ") mod the micro-batch group (" + sz + ") to be 0 or at least the stages (" +
                                               std::to_string(p) + "), as Megatron-Core does"};
  return std::nullopt;
}

Schedule make_interleaved_1f1b(const ScheduleSpec& spec) {
  const int p = spec.stages, v = spec.chunks, m = spec.microbatches, n = interleaved_group(spec);
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

  // The schedule table: (micro-batch, chunk) of each virtual micro-batch.
  std::vector<std::pair<int, int>> table;
  for (int first = 0; first < m; first += n) {
    const int last = first + n >= m ? m : first + n;
    for (int chunk = 0; chunk < v; ++chunk)
      for (int mb = first; mb < last; ++mb) table.push_back({mb, chunk});
    if (last == m) break;
  }
  const int total = m * v;
  for (int r = 0; r < p; ++r) {
    const int warmup = std::min((p - r - 1) * 2 + (v - 1) * n, total);
    auto forward = [&](int k) {
      return make_op(OpKind::kF, {0, table[k].second * p + r, table[k].first});
    };
    auto backward = [&](int k) {
      return make_op(OpKind::kB, {0, (v - 1 - table[k].second) * p + r, table[k].first});
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
