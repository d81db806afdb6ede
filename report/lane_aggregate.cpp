#include "report/lane_aggregate.hpp"

#include <map>

namespace v3sim::report {
namespace {

LaneSegment close_run(const std::vector<LaneOp>& ops, std::size_t first, std::size_t n) {
  LaneSegment seg;
  seg.first = first;
  seg.n = n;
  seg.start_ms = ops[first].start_ms;
  seg.end_ms = ops[first + n - 1].end_ms;
  // Time per kind, in first-seen order so a tie goes to the earlier kind
  // (deterministic output).
  std::vector<std::string> order;
  std::map<std::string, double> time;
  double total = 0;
  for (std::size_t i = first; i < first + n; ++i) {
    const double d = ops[i].end_ms - ops[i].start_ms;
    if (!time.count(ops[i].kind)) order.push_back(ops[i].kind);
    time[ops[i].kind] += d;
    total += d;
  }
  std::string best = order.front();
  for (const std::string& k : order)
    if (time[k] > time[best]) best = k;
  seg.kind = best;
  for (std::size_t i = first; i < first + n; ++i)
    if (ops[i].kind == best) {
      seg.fill = ops[i].fill;
      break;
    }
  seg.dominant_share = total > 0 ? time[best] / total : 1.0 / static_cast<double>(n);
  const double span = seg.end_ms - seg.start_ms;
  seg.busy_share = span > 0 ? total / span : 1;
  return seg;
}

}  // namespace

std::vector<LaneSegment> aggregate_lane(const std::vector<LaneOp>& ops, double px_per_ms, double min_px) {
  std::vector<LaneSegment> out;
  std::size_t run = 0, run_n = 0;  // the open run of sub-pixel ops
  auto flush = [&] {
    if (run_n > 0) out.push_back(close_run(ops, run, run_n));
    run_n = 0;
  };
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const bool thin = (ops[i].end_ms - ops[i].start_ms) * px_per_ms < min_px;
    if (!thin) {
      flush();
      out.push_back(close_run(ops, i, 1));
      continue;
    }
    if (run_n > 0 && (ops[i].start_ms - ops[run + run_n - 1].end_ms) * px_per_ms >= min_px) flush();
    if (run_n == 0) run = i;
    ++run_n;
  }
  flush();
  return out;
}

}  // namespace v3sim::report
