#include "report/chrome_trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "models/schedule/notation.hpp"
#include "report/trace_writer.hpp"
#include "report/transfer_trace.hpp"

namespace v3sim::report {
namespace {

constexpr int kComputeThread = 0;
constexpr int kFirstTransferThread = 1;

std::string chunk_args(const models::Chunk& c) {
  return fmt::format("{{\"lane\":{},\"stage\":{},\"microbatch\":{}}}", c.lane, c.stage, c.microbatch);
}

}  // namespace

std::string chrome_trace(const models::PipelineResult& r, std::size_t max_ops) {
  // 512 stages x 10,000 micro-batches is 10 million ops, 1.8 GB of trace.
  std::size_t total = 0;
  for (const auto& rank : r.ranks) total += rank.ops.size();
  sim::Time cutoff = std::numeric_limits<sim::Time>::max();
  if (total > max_ops) {
    std::vector<sim::Time> starts;
    starts.reserve(total);
    for (const auto& rank : r.ranks)
      for (const auto& rec : rank.ops) starts.push_back(rec.start);
    std::nth_element(starts.begin(), starts.begin() + max_ops, starts.end());
    cutoff = starts[max_ops];
  }
  std::size_t written = 0;
  TraceWriter w;
  for (const auto& rank : r.ranks) {
    const int pid = rank.rank;
    w.process_name(pid, "rank " + std::to_string(pid));
    w.process_sort_index(pid, pid);
    w.thread_name(pid, kComputeThread, "compute");
    w.thread_sort_index(pid, kComputeThread, 0);
    for (const auto& rec : rank.ops) {
      if (rec.start >= cutoff) continue;
      ++written;
      TraceArgs a;
      if (rec.op.kind == models::OpKind::kFB) {
        a = {{"forward", chunk_args(rec.op.a)}, {"backward", chunk_args(rec.op.b)}};
      } else {
        a = {{"lane", std::to_string(rec.op.a.lane)}, {"stage", std::to_string(rec.op.a.stage)},
             {"microbatch", std::to_string(rec.op.a.microbatch)}};
      }
      w.complete(models::format_op(r.schedule, rec.op), models::op_kind_letter(rec.op.kind), pid, kComputeThread, rec.start,
                 rec.end - rec.start, a);
    }
    for (const auto& [t, held] : rank.activation_curve)
      if (t < cutoff) w.counter("activations held", pid, t, "stage-chunks", held);
  }
  write_pipeline_transfers(w, r, kFirstTransferThread, 0, cutoff);
  w.top_level("distributedInfo", fmt::format("{{\"backend\":\"v3sim\",\"world_size\":{},\"pp\":{}}}", r.ranks.size(),
                                             r.ranks.size()));
  std::string truncated;
  if (written < total)
    truncated = fmt::format(",\"ops_total\":{},\"ops_written\":{},\"truncated_at_s\":{}", total, written, sim::to_seconds(cutoff));
  w.top_level("otherData", fmt::format("{{\"simulator\":\"v3sim\",\"step_time_s\":{}{}}}", sim::to_seconds(r.step_time), truncated));
  return w.finish();
}

}  // namespace v3sim::report
