#include "models/pipeline/executor.hpp"

#include <stdexcept>

#include "models/pipeline/activation.hpp"
#include "models/schedule/notation.hpp"
#include "sim/engine.hpp"
#include "sim/task_graph.hpp"

namespace v3sim::models {
namespace {

constexpr sim::TaskId kNone = ~sim::TaskId{0};

// Dense per-chunk table: (lane, stage, micro-batch) -> task.
class ChunkTable {
 public:
  explicit ChunkTable(const Schedule& s) : s_(s) {
    std::size_t total = 0;
    for (int lane = 0; lane < static_cast<int>(s.rank_of.size()); ++lane) {
      base_.push_back(total);
      total += static_cast<std::size_t>(s.lane_stages(lane)) * s.lane_microbatches[lane];
    }
    forward.assign(total, kNone);
    gradient.assign(total, kNone);
    input_only.assign(total, kNone);
  }
  std::size_t index(const Chunk& c) const {
    if (c.lane < 0 || c.lane >= static_cast<int>(base_.size()) || c.stage < 0 || c.stage >= s_.lane_stages(c.lane) ||
        c.microbatch < 0 || c.microbatch >= s_.lane_microbatches[c.lane])
      throw std::logic_error("program names a chunk outside the schedule");
    return base_[c.lane] + static_cast<std::size_t>(c.stage) * s_.lane_microbatches[c.lane] + c.microbatch;
  }
  std::vector<sim::TaskId> forward;   // F, or the forward half of a pair
  std::vector<sim::TaskId> gradient;  // B, I or the backward half of a pair
  std::vector<sim::TaskId> input_only;  // I

 private:
  const Schedule& s_;
  std::vector<std::size_t> base_;
};

struct TaskInfo {
  int rank;
  int op_index;           // into the rank's program; -1 for a transfer
  std::size_t transfer;   // into transfers when op_index < 0
};

class GraphBuilder {
 public:
  GraphBuilder(const Schedule& s, const OpDuration& duration, const ExecutorOptions& opt)
      : s_(s), duration_(duration), opt_(opt), table_(s) {}

  void build() {
    for (int r = 0; r < s_.ranks; ++r) {
      compute_.push_back(graph.add_resource("rank" + std::to_string(r) + " compute", sim::ResourceOrder::kProgram, 1));
      comm_.push_back(graph.add_resource("rank" + std::to_string(r) + " comm", sim::ResourceOrder::kReady, 0));
    }
    op_task.resize(s_.ranks);
    for (int r = 0; r < s_.ranks; ++r)
      for (int i = 0; i < static_cast<int>(s_.programs[r].size()); ++i) add_op_task(r, i);
    verify_complete();
    for (int r = 0; r < s_.ranks; ++r)
      for (int i = 0; i < static_cast<int>(s_.programs[r].size()); ++i) add_dependencies(r, i);
    graph.set_describer([this](sim::TaskId t) { return describe(t); });
  }

  sim::TaskGraph graph;
  std::vector<std::vector<sim::TaskId>> op_task;  // [rank][op index]
  std::vector<TaskInfo> info;                     // [task]
  std::vector<TransferRecord> transfers;
  std::vector<sim::TaskId> transfer_task;

 private:
  void claim(std::vector<sim::TaskId>& slot, const Chunk& c, sim::TaskId t, const char* what) {
    sim::TaskId& cell = slot[table_.index(c)];
    if (cell != kNone) throw std::logic_error(std::string("program runs the ") + what + " of a chunk twice");
    cell = t;
  }

  void add_op_task(int r, int i) {
    const Op& op = s_.programs[r][i];
    const sim::TaskId t = graph.add_task(compute_[r], duration_(op));
    op_task[r].push_back(t);
    info.push_back(TaskInfo{r, i, 0});
    switch (op.kind) {
      case OpKind::kF: claim(table_.forward, op.a, t, "forward"); break;
      case OpKind::kB: claim(table_.gradient, op.a, t, "backward"); break;
      case OpKind::kI:
        claim(table_.gradient, op.a, t, "backward");
        claim(table_.input_only, op.a, t, "input-gradient backward");
        break;
      case OpKind::kW: break;
      case OpKind::kFB:
        claim(table_.forward, op.a, t, "forward");
        claim(table_.gradient, op.b, t, "backward");
        break;
    }
  }

  sim::TaskId require(const std::vector<sim::TaskId>& slot, const Chunk& c, const char* what) const {
    const sim::TaskId t = slot[table_.index(c)];
    if (t == kNone) throw std::logic_error(std::string("program lacks the ") + what + " of chunk " + chunk_name(c));
    return t;
  }

  std::string chunk_name(const Chunk& c) const { return format_chunk(s_, OpKind::kF, c).substr(1); }

  // Every chunk needs a forward and a backward, and every I its W.
  void verify_complete() const {
    std::vector<int> weights(table_.forward.size(), 0);
    for (const Program& prog : s_.programs)
      for (const Op& op : prog)
        if (op.kind == OpKind::kW && ++weights[table_.index(op.a)] > 1)
          throw std::logic_error("program runs the weight gradient of chunk " + chunk_name(op.a) + " twice");
    for (int lane = 0; lane < static_cast<int>(s_.rank_of.size()); ++lane)
      for (int st = 0; st < s_.lane_stages(lane); ++st)
        for (int m = 0; m < s_.lane_microbatches[lane]; ++m) {
          const Chunk c{lane, st, m};
          const std::size_t i = table_.index(c);
          if (table_.forward[i] == kNone) throw std::logic_error("program lacks the forward of chunk " + chunk_name(c));
          if (table_.gradient[i] == kNone) throw std::logic_error("program lacks the backward of chunk " + chunk_name(c));
          if ((table_.input_only[i] != kNone) != (weights[i] == 1))
            throw std::logic_error("chunk " + chunk_name(c) + " needs exactly one W after its I, and none after a B");
        }
  }

  void forward_inputs(sim::TaskId t, const Chunk& c) {
    if (c.stage == 0) return;
    const Chunk prev{c.lane, c.stage - 1, c.microbatch};
    connect(require(table_.forward, prev, "forward"), t, prev, false, s_.rank_of[c.lane][c.stage]);
  }

  void backward_inputs(sim::TaskId t, const Chunk& c) {
    graph.add_edge(require(table_.forward, c, "forward"), t);
    if (c.stage + 1 == s_.lane_stages(c.lane)) return;
    const Chunk next{c.lane, c.stage + 1, c.microbatch};
    connect(require(table_.gradient, next, "backward"), t, next, true, s_.rank_of[c.lane][c.stage]);
  }

  void add_dependencies(int r, int i) {
    const Op& op = s_.programs[r][i];
    const sim::TaskId t = op_task[r][i];
    switch (op.kind) {
      case OpKind::kF: forward_inputs(t, op.a); break;
      case OpKind::kB:
      case OpKind::kI: backward_inputs(t, op.a); break;
      case OpKind::kW: graph.add_edge(require(table_.input_only, op.a, "input-gradient backward"), t); break;
      case OpKind::kFB:
        forward_inputs(t, op.a);
        backward_inputs(t, op.b);
        break;
    }
  }

  // `from` produced `chunk`'s output (activation or gradient) for a task on
  // rank `to_rank`; across ranks it travels as a point-to-point transfer.
  void connect(sim::TaskId from, sim::TaskId to, const Chunk& chunk, bool gradient, int to_rank) {
    const int from_rank = s_.rank_of[chunk.lane][chunk.stage];
    if (from_rank == to_rank || opt_.p2p_latency == 0) {
      graph.add_edge(from, to);
      return;
    }
    const sim::TaskId x = graph.add_task(comm_[from_rank], opt_.p2p_latency);
    info.push_back(TaskInfo{from_rank, -1, transfers.size()});
    transfers.push_back(TransferRecord{from_rank, to_rank, chunk, gradient, 0, 0});
    transfer_task.push_back(x);
    graph.add_edge(from, x);
    graph.add_edge(x, to);
  }

  std::string describe(sim::TaskId t) const {
    const TaskInfo& ti = info[t];
    if (ti.op_index >= 0)
      return "rank" + std::to_string(ti.rank) + " " + format_op(s_, s_.programs[ti.rank][ti.op_index]);
    const TransferRecord& x = transfers[ti.transfer];
    return "send rank" + std::to_string(x.from_rank) + "->rank" + std::to_string(x.to_rank) + " of " +
           format_chunk(s_, x.gradient ? OpKind::kB : OpKind::kF, x.chunk);
  }

  const Schedule& s_;
  const OpDuration& duration_;
  const ExecutorOptions& opt_;
  ChunkTable table_;
  std::vector<sim::ResourceId> compute_, comm_;
};

}  // namespace

double PipelineResult::bubble_fraction() const {
  if (ranks.empty() || step_time == 0) return 0;
  double idle = 0;
  for (const RankResult& r : ranks) idle += static_cast<double>(r.bubble);
  return idle / (static_cast<double>(step_time) * static_cast<double>(ranks.size()));
}

sim::Time PipelineResult::max_bubble() const {
  sim::Time m = 0;
  for (const RankResult& r : ranks) m = std::max(m, r.bubble);
  return m;
}

PipelineResult execute(const Schedule& schedule, const OpDuration& duration, const ExecutorOptions& options) {
  GraphBuilder b(schedule, duration, options);
  b.build();
  const sim::Timeline tl = sim::run(b.graph);

  PipelineResult result;
  result.schedule = schedule;
  result.step_time = tl.makespan;
  result.events = tl.events;
  result.tasks = b.graph.tasks().size();
  result.wall_seconds = tl.wall_seconds;
  for (int r = 0; r < schedule.ranks; ++r) {
    RankResult rr;
    rr.rank = r;
    rr.parameter_copies = schedule.parameter_copies(r);
    for (std::size_t i = 0; i < schedule.programs[r].size(); ++i) {
      const sim::TaskId t = b.op_task[r][i];
      rr.ops.push_back(OpRecord{schedule.programs[r][i], tl.start[t], tl.end[t]});
      rr.busy += tl.end[t] - tl.start[t];
    }
    rr.bubble = result.step_time - rr.busy;
    account_activations(rr);
    result.ranks.push_back(std::move(rr));
  }
  for (std::size_t i = 0; i < b.transfers.size(); ++i) {
    TransferRecord x = b.transfers[i];
    x.start = tl.start[b.transfer_task[i]];
    x.end = tl.end[b.transfer_task[i]];
    result.ranks[x.from_rank].sends.push_back(x);
  }
  return result;
}

}  // namespace v3sim::models
