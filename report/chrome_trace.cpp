#include "report/chrome_trace.hpp"

#include <fmt/format.h>

#include "models/schedule/notation.hpp"
#include "report/trace_writer.hpp"

namespace v3sim::report {
namespace {

constexpr int kComputeThread = 0;
constexpr int kCommThread = 1;

std::string chunk_args(const models::Chunk& c) {
  return fmt::format("{{\"lane\":{},\"stage\":{},\"microbatch\":{}}}", c.lane, c.stage, c.microbatch);
}

}  // namespace

std::string chrome_trace(const models::PipelineResult& r) {
  TraceWriter w;
  for (const auto& rank : r.ranks) {
    const int pid = rank.rank;
    w.process_name(pid, "rank " + std::to_string(pid));
    w.process_sort_index(pid, pid);
    w.thread_name(pid, kComputeThread, "compute");
    w.thread_name(pid, kCommThread, "comm");
    for (const auto& rec : rank.ops) {
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
    for (const auto& x : rank.sends)
      w.async_span("send " + models::format_chunk(r.schedule, x.gradient ? models::OpKind::kB : models::OpKind::kF, x.chunk) +
                       " to rank " + std::to_string(x.to_rank),
                   "p2p", pid, kCommThread, x.start, x.end);
    for (const auto& [t, held] : rank.activation_curve) w.counter("activations", pid, t, "stage-chunks", held);
  }
  return w.finish();
}

}  // namespace v3sim::report
