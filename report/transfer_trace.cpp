#include "report/transfer_trace.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/schedule/notation.hpp"

namespace v3sim::report {
namespace {

// Greedy interval partitioning: the first lane free at `start`.
int free_lane(std::vector<sim::Time>& lanes, sim::Time start, sim::Time end) {
  for (std::size_t i = 0; i < lanes.size(); ++i)
    if (lanes[i] <= start) {
      lanes[i] = end;
      return static_cast<int>(i);
    }
  lanes.push_back(end);
  return static_cast<int>(lanes.size() - 1);
}

}  // namespace

void write_pipeline_transfers(TraceWriter& w, const models::PipelineResult& p, int first_tid, double bytes, sim::Time until) {
  std::vector<models::TransferRecord> sends;
  for (const models::RankResult& rr : p.ranks) sends.insert(sends.end(), rr.sends.begin(), rr.sends.end());
  std::stable_sort(sends.begin(), sends.end(), [](const auto& x, const auto& y) { return x.start < y.start; });
  std::vector<std::vector<sim::Time>> lanes(p.ranks.size());
  std::vector<int> named(p.ranks.size(), 0);
  auto thread_for = [&](int rank, sim::Time start, sim::Time end) {
    const int lane = free_lane(lanes[static_cast<std::size_t>(rank)], start, end);
    for (int& n = named[static_cast<std::size_t>(rank)]; n <= lane; ++n) {
      w.thread_name(rank, first_tid + n, n == 0 ? "pipeline transfers" : "pipeline transfers (overlapping)");
      w.thread_sort_index(rank, first_tid + n, first_tid + n);
    }
    return first_tid + lane;
  };
  for (const models::TransferRecord& x : sends) {
    if (x.end <= x.start || x.start >= until) continue;
    const std::string what = models::format_chunk(p.schedule, x.gradient ? models::OpKind::kB : models::OpKind::kF,
                                                  x.chunk) + (x.gradient ? " gradients" : " activations");
    TraceArgs a = {{"microbatch", std::to_string(x.chunk.microbatch)},
                   {"lane", std::to_string(x.chunk.lane)},
                   {"stage", std::to_string(x.chunk.stage)}};
    if (bytes > 0) a.push_back({"bytes", fmt::format("{:.0f}", bytes)});
    const int from_tid = thread_for(x.from_rank, x.start, x.end);
    const int to_tid = thread_for(x.to_rank, x.end, x.end);
    w.complete("send " + what + " to rank " + std::to_string(x.to_rank), "p2p", x.from_rank, from_tid, x.start,
               x.end - x.start, a);
    w.complete("arrived: " + what + " from rank " + std::to_string(x.from_rank), "p2p", x.to_rank, to_tid, x.end, 0, a);
    w.flow("p2p " + what, "p2p", x.from_rank, from_tid, x.start, x.to_rank, to_tid, x.end);
  }
}

}  // namespace v3sim::report
