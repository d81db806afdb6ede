#include "report/training_trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

#include "models/schedule/notation.hpp"
#include "report/component_style.hpp"
#include "report/dp_tail.hpp"
#include "report/trace_writer.hpp"
#include "report/transfer_trace.hpp"

namespace v3sim::report {
namespace {

using models::BlockKind;

// Threads of a rank's process, in the order they are shown.
enum Thread : int {
  kCompute = 0,     // the compute SMs' stream
  kComm = 1,        // the communication SMs' stream
  kCompute2 = 2,    // the second compute stream (routed experts' weight gradients)
  kDpTail = 3,      // the data-parallel collectives after the pipeline
  kFirstP2p = 4,    // pipeline sends and receives, one thread per overlap level
};

// What the component is, as a reader of the model would name it: the
// embedding and the output head with its loss are not attention or MLP,
// though the stage plan files their kernels under those components.
std::string event_name(const models::ComponentRecord& c, int main_layers) {
  const std::string pass = std::string("(") + component_pass_letter(c.pass) + ")";
  switch (c.block) {
    case BlockKind::kEmbedding: return "embedding" + pass;
    case BlockKind::kHead: return (c.unit >= main_layers ? "MTP output head + loss" : "output head + loss") + pass;
    case BlockKind::kMtp: return std::string("MTP ") + component_word(c.component) + pass;
    default: return component_word(c.component) + pass;
  }
}

// The chunk a component works on: a pair's forward components belong to
// its first chunk, the backward ones to its second.
const models::Chunk& chunk_of(const models::Op& op, models::Pass pass) {
  return op.kind == models::OpKind::kFB && pass != models::Pass::kForward ? op.b : op.a;
}

// Time-ordered changes of up to two step functions shown on one counter
// track, summed where they coincide.
using Steps = std::map<sim::Time, std::array<double, 2>>;

// One sample per change of either level, values rounded to 4 significant
// digits: a counter sample costs about as much as a kernel's event.
void emit_steps(TraceWriter& w, std::string_view name, int pid, std::vector<std::string_view> series,
                const Steps& deltas, double scale) {
  std::array<double, 2> level{};
  TraceArgs values, shown;
  for (const auto& [t, d] : deltas) {
    values.clear();
    for (std::size_t i = 0; i < series.size(); ++i) {
      level[i] += d[i];
      values.push_back({series[i], fmt::format("{:.4g}", std::max(0.0, level[i]) * scale)});
    }
    if (values != shown) w.counter(name, pid, t, values);
    std::swap(values, shown);
  }
}

void write_metadata(TraceWriter& w, const models::TrainingResult& r) {
  const models::TrainingSpec& t = r.spec;
  for (const models::TrainingRank& k : r.ranks) {
    w.process_name(k.rank, "rank " + std::to_string(k.rank));
    w.process_sort_index(k.rank, k.rank);
    w.process_labels(k.rank, fmt::format("pipeline rank {} of {}, data-parallel replica 0 of {}, GPU {}", k.rank,
                                         r.ranks.size(), r.dp, k.rank * r.dp * t.parallel.cp * t.parallel.tp));
    const std::pair<int, const char*> threads[] = {{kCompute, "compute SMs"},
                                                   {kCompute2, "compute SMs, second stream"},
                                                   {kComm, "comm SMs"},
                                                   {kDpTail, "data-parallel sync and optimizer"}};
    int order = 0;
    for (const auto& [tid, name] : threads) {
      w.thread_name(k.rank, tid, name);
      w.thread_sort_index(k.rank, tid, order++);
    }
  }
  // As the PyTorch profiler's distributedInfo, with the parallel sizes.
  w.top_level("distributedInfo",
              fmt::format("{{\"backend\":\"v3sim\",\"world_size\":{},\"ranks_in_trace\":{},\"replica\":0,"
                          "\"pp\":{},\"dp\":{},\"ep\":{},\"tp\":{},\"cp\":{},\"zero\":{}}}",
                          r.gpus, r.ranks.size(), t.parallel.pp, r.dp, t.parallel.ep, t.parallel.tp, t.parallel.cp,
                          t.parallel.zero));
  w.top_level("otherData", fmt::format("{{\"simulator\":\"v3sim\",\"model\":{},\"schedule\":{},\"step_time_s\":{}}}",
                                       TraceWriter::quote(t.model.name),
                                       TraceWriter::quote(models::schedule_kind_name(t.schedule)), r.step_time_s));
}

}  // namespace

std::string training_chrome_trace(const models::TrainingResult& r) {
  TraceWriter w;
  write_metadata(w, r);
  const int ranks = static_cast<int>(r.ranks.size());
  std::vector<Steps> links(static_cast<std::size_t>(ranks)), p2p(static_cast<std::size_t>(ranks));
  // SMs in use: a sweep over when each stream kind is busy at all.
  std::vector<std::vector<std::pair<sim::Time, int>>> busy(static_cast<std::size_t>(ranks) * 2);

  for (const models::ComponentRecord& c : r.components) {
    if (c.end <= c.start) continue;
    const models::Op& op = r.pipeline.ranks[static_cast<std::size_t>(c.rank)].ops[static_cast<std::size_t>(c.op)].op;
    const models::Chunk& ch = chunk_of(op, c.pass);
    TraceArgs a = {{"op", TraceWriter::quote(models::format_op(r.pipeline.schedule, op))},
                   {"microbatch", std::to_string(ch.microbatch)},
                   {"lane", std::to_string(ch.lane)},
                   {"stage", std::to_string(ch.stage)},
                   {"pass", TraceWriter::quote(component_pass_letter(c.pass))}};
    if (c.block == BlockKind::kDenseLayer || c.block == BlockKind::kMoeLayer || c.block == BlockKind::kMtp)
      a.push_back({"layer", std::to_string(c.unit)});
    a.push_back({"sms", std::to_string(c.comm ? r.comm_sms : r.plan.compute_sms)});
    const std::size_t rank = static_cast<std::size_t>(c.rank);
    if (c.comm && c.phase >= 0) {
      const double nv = r.phase_nvlink_bytes[static_cast<std::size_t>(c.phase)];
      const double nic = r.phase_rdma_bytes[static_cast<std::size_t>(c.phase)];
      a.push_back({"bytes", fmt::format("{:.0f}", nv + nic)});
      a.push_back({"nvlink_bytes", fmt::format("{:.0f}", nv)});
      a.push_back({"rdma_bytes", fmt::format("{:.0f}", nic)});
      const double secs = sim::to_seconds(c.end - c.start);
      links[rank][c.start][0] += nv / secs;
      links[rank][c.end][0] -= nv / secs;
      links[rank][c.start][1] += nic / secs;
      links[rank][c.end][1] -= nic / secs;
    }
    w.complete(event_name(c, r.spec.model.layers), block_word(c.block), c.rank,
               c.comm ? kComm : c.second_stream ? kCompute2 : kCompute, c.start, c.end - c.start, a);
    auto& b = busy[rank * 2 + (c.comm ? 1 : 0)];
    b.push_back({c.start, 1});
    b.push_back({c.end, -1});
  }

  // The data-parallel tail, from the rank's last pipeline kernel to its step end.
  for (const models::TrainingRank& k : r.ranks)
    for (const TailPhase& p : dp_tail(r, k)) w.complete(p.name, "data parallel", k.rank, kDpTail, p.start, p.duration);

  write_pipeline_transfers(w, r.pipeline, kFirstP2p, r.p2p_bytes);
  for (const models::RankResult& rr : r.pipeline.ranks)
    for (const models::TransferRecord& x : rr.sends) {
      if (x.end <= x.start) continue;
      const double rate = r.p2p_bytes / sim::to_seconds(x.end - x.start);
      for (int rank : {x.from_rank, x.to_rank}) {
        p2p[static_cast<std::size_t>(rank)][x.start][0] += rate;
        p2p[static_cast<std::size_t>(rank)][x.end][0] -= rate;
      }
    }

  // Counters: activation memory, SMs in use, link traffic.
  for (int rank = 0; rank < ranks; ++rank) {
    const std::size_t i = static_cast<std::size_t>(rank);
    Steps held;
    held[0];
    for (const models::ChunkLife& life : r.chunk_lives[i]) {
      const double bytes = r.plan.parts[static_cast<std::size_t>(life.part)].saved_bytes;
      held[life.alloc][0] += bytes;
      held[life.free][0] -= bytes;
    }
    emit_steps(w, "activation memory (GB = 1e9 B)", rank, {"activations"}, held, 1e-9);
    Steps in_use;
    in_use[0];
    for (int comm = 0; comm < 2; ++comm) {
      auto& b = busy[i * 2 + static_cast<std::size_t>(comm)];
      std::stable_sort(b.begin(), b.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
      int depth = 0;
      const double sms_held = comm ? r.comm_sms : r.plan.compute_sms;
      for (const auto& [t, d] : b) {
        const bool was = depth > 0;
        depth += d;
        if (was != (depth > 0)) in_use[t][static_cast<std::size_t>(comm)] += depth > 0 ? sms_held : -sms_held;
      }
    }
    emit_steps(w, "SMs in use", rank, {"compute", "comm"}, in_use, 1);
    links[i][0];
    p2p[i][0];
    emit_steps(w, "all-to-all traffic sent (GB/s, mean over each kernel)", rank, {"NVLink", "RDMA"}, links[i], 1e-9);
    emit_steps(w, "pipeline transfer traffic (GB/s)", rank, {"p2p"}, p2p[i], 1e-9);
  }
  return w.finish();
}

}  // namespace v3sim::report
