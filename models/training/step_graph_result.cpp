// Reading a step's timeline back into its result: op spans per rank, chunk
// lives, component records, their dependencies, busy and exposed time.
#include <algorithm>
#include <limits>

#include "models/training/step_graph_parts.hpp"

namespace v3sim::models {

sim::Time uncovered_time(std::vector<std::pair<sim::Time, sim::Time>> busy,
                         std::vector<std::pair<sim::Time, sim::Time>> covered) {
  std::sort(busy.begin(), busy.end());
  std::sort(covered.begin(), covered.end());
  sim::Time total = 0, cursor = std::numeric_limits<sim::Time>::min();
  std::size_t c = 0;
  for (auto [start, end] : busy) {
    start = std::max(start, cursor);
    while (start < end) {
      while (c < covered.size() && covered[c].second <= start) ++c;
      if (c == covered.size() || covered[c].first >= end) {
        total += end - start;
        break;
      }
      if (covered[c].first > start) total += covered[c].first - start;
      start = covered[c].second;
    }
    cursor = std::max(cursor, end);
  }
  return total;
}

StepGraphResult read_step_graph(const StepGraphParts& parts, const sim::Timeline& tl, const Schedule& schedule,
                                const StepNetwork& net) {
  StepGraphResult r;
  r.events = tl.events;
  r.tasks = parts.graph.tasks().size();
  r.flows = parts.graph.flows().size() + parts.graph.exchange_flow_count();
  r.wall_seconds = tl.wall_seconds;
  r.pipeline.schedule = schedule;
  r.pipeline.step_time = tl.makespan;
  r.ranks.resize(static_cast<std::size_t>(schedule.ranks));
  for (int rank = 0; rank < schedule.ranks; ++rank) {
    RankResult rr;
    rr.rank = rank;
    rr.parameter_copies = schedule.parameter_copies(rank);
    for (std::size_t i = 0; i < schedule.programs[static_cast<std::size_t>(rank)].size(); ++i) {
      const auto [first, last] = parts.op_range[static_cast<std::size_t>(rank)][i];
      sim::Time start = std::numeric_limits<sim::Time>::max(), end = 0;
      for (sim::TaskId t = first; t < last; ++t) {
        const sim::ResourceId res = parts.graph.tasks()[t].resource;
        if (res < parts.host_resource.size() && parts.host_resource[res]) continue;  // the host issues ahead
        start = std::min(start, tl.start[t]);
        end = std::max(end, tl.end[t]);
      }
      rr.ops.push_back(OpRecord{schedule.programs[static_cast<std::size_t>(rank)][i], start, end});
    }
    r.pipeline.ranks.push_back(std::move(rr));
  }
  for (auto [x, t] : parts.transfers0) {
    x.start = tl.start[t];
    x.end = tl.end[t];
    r.pipeline.ranks[static_cast<std::size_t>(x.from_rank)].sends.push_back(x);
  }
  r.chunk_lives.resize(static_cast<std::size_t>(schedule.ranks));
  for (int lane = 0; lane < static_cast<int>(schedule.rank_of.size()); ++lane)
    for (int st = 0; st < schedule.lane_stages(lane); ++st)
      for (int m = 0; m < schedule.lane_microbatches[static_cast<std::size_t>(lane)]; ++m) {
        const ChunkSpans& cs = parts.spans0[parts.chunk(schedule, Chunk{lane, st, m})];
        r.chunk_lives[static_cast<std::size_t>(schedule.rank_of[lane][st])].push_back(
            ChunkLife{schedule.part_of[lane][st], tl.start[cs.forward.entry], tl.end[cs.backward.exit]});
      }
  std::vector<std::vector<std::pair<sim::Time, sim::Time>>> compute(schedule.ranks), comm(schedule.ranks);
  const std::vector<std::pair<sim::Time, sim::Time>> nothing;
  for (std::size_t i = 0; i < parts.records.size(); ++i) {
    ComponentRecord rec = parts.records[i];
    const sim::TaskId t = parts.record_task[i];
    // A full-fidelity comm kernel is recorded at its completion task; it
    // spans from its launch.
    rec.start = tl.start[parts.record_start[i]];
    rec.end = tl.end[t];
    r.components.push_back(rec);
    RankTimes& rt = r.ranks[static_cast<std::size_t>(rec.rank)];
    rt.end = std::max(rt.end, rec.end);
    if (rec.end <= rec.start) continue;
    (rec.comm ? comm : compute)[static_cast<std::size_t>(rec.rank)].push_back({rec.start, rec.end});
  }
  // A notify spent its round of messages and whatever it waited for the
  // last member to launch (full fidelity: at the barrier before its own
  // notify task; reduced: before its one task of notify and all-to-all).
  for (const auto& [i, call] : parts.notify_records)
    r.components[i].notify_wait = tl.start[call.notified] - tl.end[call.launch] + net.notify_round;
  // Replica 0's data dependencies between its recorded kernels; a pipeline
  // transfer in between becomes one dependency marked as a transfer. A
  // full-fidelity all-to-all's launch task belongs to its kernel's record.
  std::vector<int> owner(parts.graph.tasks().size(), -1);
  for (std::size_t i = 0; i < parts.records.size(); ++i) {
    owner[parts.record_task[i]] = static_cast<int>(i);
    owner[parts.record_start[i]] = static_cast<int>(i);
  }
  for (const auto& [i, call] : parts.notify_records) owner[call.notified] = static_cast<int>(i);
  constexpr int kNotTransfer = -2;
  std::vector<int> transfer_source(parts.graph.tasks().size(), kNotTransfer);
  for (const auto& x : parts.transfers0) transfer_source[x.second] = -1;
  for (const sim::Edge& e : parts.graph.edges())
    if (transfer_source[e.to] == -1) transfer_source[e.to] = owner[e.from];
  for (const sim::Edge& e : parts.graph.edges()) {
    const bool via = transfer_source[e.from] != kNotTransfer;
    const int from = via ? transfer_source[e.from] : owner[e.from], to = owner[e.to];
    if (from >= 0 && to >= 0 && from != to) r.edges.push_back(ComponentEdge{from, to, via});
  }
  for (int rank = 0; rank < schedule.ranks; ++rank)
    r.ranks[static_cast<std::size_t>(rank)].compute = uncovered_time(compute[static_cast<std::size_t>(rank)], nothing);
  // A rank's pipeline ends when its slowest replica does (full fidelity).
  for (const auto& [t, rank] : parts.other_replicas) {
    RankTimes& rt = r.ranks[static_cast<std::size_t>(rank)];
    rt.end = std::max(rt.end, tl.end[t]);
  }
  // Host waits: a kernel that started when its host issue ended, after a
  // gap (from the step's start or its rank's last kernel) in which the
  // rank's GPU ran nothing of replica 0.
  std::vector<std::vector<std::pair<sim::Time, std::size_t>>> by_start(schedule.ranks);
  for (std::size_t i = 0; i < r.components.size(); ++i)
    by_start[static_cast<std::size_t>(r.components[i].rank)].push_back({r.components[i].start, i});
  for (int rank = 0; rank < schedule.ranks; ++rank) {
    auto& list = by_start[static_cast<std::size_t>(rank)];
    std::sort(list.begin(), list.end());
    sim::Time busy_until = 0;
    for (const auto& [start, i] : list) {
      const HostIssue& h = parts.record_issue[i];
      const sim::Time issued = h.task != kNone ? tl.end[h.task] : h.at;
      if (issued >= 0 && start > busy_until && issued == start)
        r.ranks[static_cast<std::size_t>(rank)].host_wait += start - busy_until;
      busy_until = std::max(busy_until, r.components[i].end);
    }
  }
  for (int rank = 0; rank < schedule.ranks; ++rank)
    r.ranks[static_cast<std::size_t>(rank)].exposed_comm =
        uncovered_time(comm[static_cast<std::size_t>(rank)], compute[static_cast<std::size_t>(rank)]);
  return r;
}

}  // namespace v3sim::models
