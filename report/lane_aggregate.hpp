#pragma once
// Ops narrower than a pixel at the drawn scale are noise when drawn one by
// one (a training step has thousands of kernels per rank). A run of adjacent
// sub-pixel ops of a lane becomes one rect, coloured by the kind that covers
// most of the run's time, and told as "N ops" on hover.
#include <cstddef>
#include <string>
#include <vector>

namespace v3sim::report {

struct LaneOp {
  double start_ms = 0, end_ms = 0;
  std::string kind;  // what the aggregate names as dominant, e.g. "dispatch(F)"
  std::string fill;  // the op's colour; an aggregate takes its dominant kind's
};

// One rect to draw: a single op (n == 1) or a merged run of sub-pixel ops.
struct LaneSegment {
  std::size_t first = 0;  // index of the first op in the (start-sorted) input
  std::size_t n = 1;      // ops covered
  double start_ms = 0, end_ms = 0;
  std::string kind, fill;      // dominant kind's for n > 1
  double dominant_share = 1;   // the dominant kind's share of the ops' summed time
  double busy_share = 1;       // the ops' summed time over the run's span (drawn as opacity)
};

// `ops` sorted by start, not overlapping. An op is sub-pixel when
// (end - start) x px_per_ms < min_px. Consecutive sub-pixel ops join one run
// while the gap from the run's end to the next op's start is also under
// min_px; a run of one op stays that op. Wider ops are never merged.
std::vector<LaneSegment> aggregate_lane(const std::vector<LaneOp>& ops, double px_per_ms, double min_px = 1.0);

}  // namespace v3sim::report
