#include "report/chrome_trace.hpp"

#include "models/schedule/notation.hpp"

namespace v3sim::report {
namespace {

constexpr int kComputeThread = 0;
constexpr int kCommThread = 1;

double us(sim::Time t) { return static_cast<double>(t) / 1000.0; }

nlohmann::json chunk_args(const models::Chunk& c) {
  return {{"lane", c.lane}, {"stage", c.stage}, {"microbatch", c.microbatch}};
}

}  // namespace

nlohmann::json chrome_trace(const models::PipelineResult& r) {
  using nlohmann::json;
  json events = json::array();
  std::uint64_t async_id = 0;
  for (const auto& rank : r.ranks) {
    const int pid = rank.rank;
    events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", pid}, {"args", {{"name", "rank " + std::to_string(pid)}}}});
    events.push_back({{"ph", "M"}, {"name", "process_sort_index"}, {"pid", pid}, {"args", {{"sort_index", pid}}}});
    events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", kComputeThread}, {"args", {{"name", "compute"}}}});
    events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", kCommThread}, {"args", {{"name", "comm"}}}});
    for (const auto& rec : rank.ops) {
      json args = {{"forward", chunk_args(rec.op.a)}};
      if (rec.op.kind == models::OpKind::kFB)
        args["backward"] = chunk_args(rec.op.b);
      else
        args = chunk_args(rec.op.a);
      events.push_back({{"ph", "X"},
                        {"name", models::format_op(r.schedule, rec.op)},
                        {"cat", models::op_kind_letter(rec.op.kind)},
                        {"pid", pid},
                        {"tid", kComputeThread},
                        {"ts", us(rec.start)},
                        {"dur", us(rec.end - rec.start)},
                        {"args", std::move(args)}});
    }
    for (const auto& x : rank.sends) {
      const std::string name = "send " + models::format_chunk(r.schedule, x.gradient ? models::OpKind::kB : models::OpKind::kF, x.chunk) +
                               " to rank " + std::to_string(x.to_rank);
      const std::uint64_t id = async_id++;
      events.push_back({{"ph", "b"}, {"name", name}, {"cat", "p2p"}, {"id", id}, {"pid", pid}, {"tid", kCommThread}, {"ts", us(x.start)}});
      events.push_back({{"ph", "e"}, {"name", name}, {"cat", "p2p"}, {"id", id}, {"pid", pid}, {"tid", kCommThread}, {"ts", us(x.end)}});
    }
    for (const auto& [t, held] : rank.activation_curve)
      events.push_back({{"ph", "C"}, {"name", "activations"}, {"pid", pid}, {"ts", us(t)}, {"args", {{"stage-chunks", held}}}});
  }
  return json{{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"}};
}

}  // namespace v3sim::report
