#include "sim/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>

#include "sim/contention.hpp"
#include "sim/drain_queue.hpp"
#include "sim/event_queue.hpp"
#include "sim/max_min_solver.hpp"

namespace v3sim::sim {
namespace {

// The hook installed on this thread (ProgressScope).
std::function<void(const RunProgress&)>& progress_hook() {
  thread_local std::function<void(const RunProgress&)> hook;
  return hook;
}

enum EventKind : std::uint32_t { kFinish = 0, kArrive = 1, kExchangeFlowDone = 2, kSlowedFinish = 3 };

// A running task of a slowed resource: its standalone work left, as of `since`.
struct SlowedTask {
  TaskId task;
  double remaining;  // ns at the standalone rate
  Time since;
};

// A running flow task's progress between rate changes.
struct FlowState {
  MaxMinSolver::FlowId solver_id = 0;
  double remaining = 0;  // bytes
  double rate = 0;       // bytes per nanosecond
  Time since = 0;        // when `remaining` was last brought up to date
  TaskId task = 0;
};

// A flow of an exchange in flight (sim/task_graph.hpp): which instance and
// which of its template's flows.
struct ExchangeFlowState {
  FlowState flow;
  std::uint32_t exchange = 0;
  std::uint32_t index = 0;
};

// Solver flows map to graph flows, or (with this bit) to exchange-flow slots.
constexpr std::uint32_t kExchangeBit = 1u << 31;

constexpr Time kNotYet = -1;

class Runner {
 public:
  explicit Runner(const TaskGraph& g)
      : g_(g),
        n_(g.tasks().size()),
        remaining_(n_, 0),
        out_offset_(n_ + 1, 0),
        cursor_(g.resources().size(), 0),
        running_(g.resources().size(), 0),
        ready_(g.resources().size()) {
    timeline_.start.assign(n_, kNotYet);
    timeline_.end.assign(n_, kNotYet);
    // Successor lists in compressed form, stable in edge insertion order.
    for (const Edge& e : g.edges()) {
      ++out_offset_[e.from + 1];
      ++remaining_[e.to];
    }
    for (std::size_t i = 0; i < n_; ++i) out_offset_[i + 1] += out_offset_[i];
    out_.resize(g.edges().size());
    std::vector<std::size_t> fill(out_offset_.begin(), out_offset_.end() - 1);
    for (std::size_t i = 0; i < g.edges().size(); ++i) out_[fill[g.edges()[i].from]++] = static_cast<std::uint32_t>(i);
    for (const Link& l : g.links()) solver_.add_link(l.bandwidth * 1e-9);
    flow_state_.resize(g.flows().size());
    // Exchanges: each done task also waits for the flows ending at it; each
    // launch task is found by binary search when it finishes.
    for (std::uint32_t e = 0; e < g.exchanges().size(); ++e) {
      const Exchange& x = g.exchanges()[e];
      const ExchangeTemplate& t = g.exchange_templates()[x.templ];
      for (std::uint32_t m = 0; m < t.members; ++m) {
        remaining_[g.exchange_done()[x.begin + m]] += t.ends[m];
        launch_of_.push_back({g.exchange_launch()[x.begin + m], e, m});
      }
    }
    std::sort(launch_of_.begin(), launch_of_.end(),
              [](const LaunchOf& a, const LaunchOf& b) { return a.task != b.task ? a.task < b.task : a.exchange < b.exchange; });
    launched_.assign(g.exchange_launch().size(), 0);
    for (TaskId t = 0; t < n_; ++t) {
      if (g.tasks()[t].until != kNoTask) span_of_.push_back({g.tasks()[t].until, t});
      if (g.tasks()[t].release > 0) ++remaining_[t];  // satisfied by an arrival at its release
    }
    std::sort(span_of_.begin(), span_of_.end());
    if (contention_.any()) {
      due_.assign(n_, kNotYet);
      running_slowed_.resize(g.resources().size());
    }
  }

  // Whether the next event is a flow draining (rather than one in queue_).
  bool drain_first() const {
    if (drains_.empty()) return false;
    if (queue_.empty()) return true;
    return drains_.next_time() != queue_.next_time() ? drains_.next_time() < queue_.next_time()
                                                     : drains_.next_seq() < queue_.next_seq();
  }

  void report_progress(std::chrono::steady_clock::time_point t0) {
    next_report_ += kReportEvery;
    if (!progress_hook()) return;
    RunProgress p;
    p.now = now_, p.events = timeline_.events, p.tasks_done = finished_, p.tasks = n_;
    p.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    progress_hook()(p);
  }

  Timeline run() {
    const auto t0 = std::chrono::steady_clock::now();
    for (TaskId t = 0; t < n_; ++t)
      if (g_.tasks()[t].release > 0) queue_.push(g_.tasks()[t].release, kArrive, t);
    for (TaskId t = 0; t < n_; ++t)
      if (remaining_[t] == 0) on_ready(t);
    for (;;) {
      if (solver_.dirty()) update_rates();
      if (queue_.empty() && drains_.empty()) break;
      // All events of one instant first, then one network update for them.
      now_ = drain_first() ? drains_.next_time() : queue_.next_time();
      for (;;) {
        const bool drain = drain_first();
        if (drain ? drains_.next_time() != now_ : queue_.empty() || queue_.next_time() != now_) break;
        if (++timeline_.events >= next_report_) report_progress(t0);
        if (drain) {
          const std::uint32_t fi = drains_.next_flow();
          drains_.pop();
          drained(fi);
          continue;
        }
        const Event e = queue_.pop();
        if (e.kind == kFinish)
          finish(e.target);
        else if (e.kind == kArrive)
          satisfy(e.target);
        else if (e.kind == kSlowedFinish)
          slowed_finish(e.target);
        else
          exchange_flow_done(e.target);
      }
    }
    timeline_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (finished_ != n_) throw DeadlockError(deadlock_report());
    for (Time e : timeline_.end) timeline_.makespan = std::max(timeline_.makespan, e);
    return std::move(timeline_);
  }

 private:
  // A member of exchanges launched: start each flow of theirs whose other end
  // has launched too, in the template's order.
  void exchange_launched(TaskId t) {
    auto it = std::lower_bound(launch_of_.begin(), launch_of_.end(), t,
                               [](const LaunchOf& a, TaskId task) { return a.task < task; });
    for (; it != launch_of_.end() && it->task == t; ++it) {
      const Exchange& x = g_.exchanges()[it->exchange];
      const ExchangeTemplate& tp = g_.exchange_templates()[x.templ];
      launched_[x.begin + it->member] = 1;
      for (std::uint32_t fi : tp.touching[it->member]) {
        const ExchangeFlow& f = tp.flows[fi];
        const std::uint32_t other = f.from == it->member ? f.to : f.from;
        if (launched_[x.begin + other]) start_exchange_flow(it->exchange, fi);
      }
    }
  }

  void start_exchange_flow(std::uint32_t exchange, std::uint32_t index) {
    const ExchangeFlow& f = g_.exchange_templates()[g_.exchanges()[exchange].templ].flows[index];
    std::uint32_t slot;
    if (free_slots_.empty()) {
      slot = static_cast<std::uint32_t>(xflows_.size());
      xflows_.emplace_back();
      drains_.reserve_key(g_.flows().size() + slot);
    } else {
      slot = free_slots_.back();
      free_slots_.pop_back();
    }
    ExchangeFlowState& x = xflows_[slot];
    x = ExchangeFlowState{};
    x.exchange = exchange;
    x.index = index;
    const std::span<const LinkId> path = g_.path(f.path);
    if (f.bytes <= 0 || path.empty()) {
      queue_.push(later(now_, path_latency(path)), kExchangeFlowDone, slot);
      return;
    }
    x.flow.remaining = f.bytes;
    x.flow.since = now_;
    x.flow.solver_id = solver_.add_flow(path);
    map_solver_flow(x.flow.solver_id, slot | kExchangeBit);
  }

  void exchange_flow_done(std::uint32_t slot) {
    const ExchangeFlowState& x = xflows_[slot];
    const Exchange& ex = g_.exchanges()[x.exchange];
    const ExchangeFlow& f = g_.exchange_templates()[ex.templ].flows[x.index];
    const TaskId from = g_.exchange_done()[ex.begin + f.from], to = g_.exchange_done()[ex.begin + f.to];
    free_slots_.push_back(slot);
    satisfy(from);
    satisfy(to);
  }

  void satisfy(TaskId t) {
    if (--remaining_[t] == 0) on_ready(t);
  }

  void on_ready(TaskId t) {
    const ResourceId r = g_.tasks()[t].resource;
    if (g_.resources()[r].order == ResourceOrder::kReady) ready_[r].push_back(t);
    try_start(r);
  }

  void try_start(ResourceId r) {
    const Resource& res = g_.resources()[r];
    // The next task in the resource's order starts once it fits; later ones
    // wait behind it (no overtaking, so the order stays deterministic).
    auto fits = [&](TaskId t) { return res.capacity == 0 || running_[r] + g_.tasks()[t].units <= res.capacity; };
    for (;;) {
      TaskId next;
      if (res.order == ResourceOrder::kProgram) {
        const auto& list = g_.resource_tasks(r);
        if (cursor_[r] >= list.size() || remaining_[list[cursor_[r]]] != 0 || !fits(list[cursor_[r]])) return;
        next = list[cursor_[r]++];
      } else {
        if (ready_[r].empty() || !fits(ready_[r].front())) return;
        next = ready_[r].front();
        ready_[r].pop_front();
      }
      running_[r] += g_.tasks()[next].units;
      timeline_.start[next] = now_;
      const Task& task = g_.tasks()[next];
      if (task.until != kNoTask) {
        if (timeline_.end[task.until] != kNotYet) queue_.push(now_, kFinish, next);
      } else if (task.flow != kNoFlow) {
        start_flow(next);
      } else if (contention_.any() && contention_.slowed(r) && task.duration > 0) {
        running_slowed_[r].push_back(SlowedTask{next, static_cast<double>(task.duration), now_});
        schedule_slowed(r, running_slowed_[r].back());
      } else {
        queue_.push(later(now_, task.duration), kFinish, next);
      }
      if (contention_.any() && occupies(task)) contend(r, +1);
    }
  }

  // Whether a task counts as running beside others for the contention rules
  // (a zero-length task slows nothing).
  static bool occupies(const Task& t) { return t.duration > 0 || t.flow != kNoFlow || t.until != kNoTask; }

  // A slowed task's end at the current factor of its resource. An earlier
  // projection stays in the queue and is ignored when it comes up.
  void schedule_slowed(ResourceId r, const SlowedTask& s) {
    due_[s.task] = later(now_, checked_time(std::ceil(s.remaining * contention_.factor(r))));
    queue_.push(due_[s.task], kSlowedFinish, s.task);
  }

  // A task of `r` started or ended: the tasks of every resource whose
  // slowdown changed bank their progress at the old factor and move their end.
  void contend(ResourceId r, int delta) {
    changed_.clear();
    contention_.busy(r, delta, changed_);
    for (std::size_t i = 0; i < changed_.size(); ++i) {
      const ResourceId s = changed_[i];
      for (SlowedTask& st : running_slowed_[s]) {
        st.remaining = std::max(0.0, st.remaining - static_cast<double>(now_ - st.since) / old_factor_[s]);
        st.since = now_;
        schedule_slowed(s, st);
      }
      old_factor_[s] = contention_.factor(s);
    }
  }

  void slowed_finish(TaskId t) {
    if (timeline_.end[t] != kNotYet || due_[t] != now_) return;  // superseded projection
    auto& list = running_slowed_[g_.tasks()[t].resource];
    list.erase(std::find_if(list.begin(), list.end(), [t](const SlowedTask& s) { return s.task == t; }));
    finish(t);
  }

  Time path_latency(std::span<const LinkId> path) const {
    Time t = 0;
    for (LinkId l : path) t += g_.links()[l].latency;
    return t;
  }
  Time path_latency(const Flow& f) const { return path_latency(g_.path(f.path)); }

  void start_flow(TaskId t) {
    const std::uint32_t fi = g_.tasks()[t].flow;
    const Flow& f = g_.flows()[fi];
    const std::span<const LinkId> path = g_.path(f.path);
    if (f.bytes <= 0 || path.empty()) {  // nothing to share: only the latency
      queue_.push(later(now_, path_latency(f)), kFinish, t);
      return;
    }
    FlowState& st = flow_state_[fi];
    st.task = t;
    st.remaining = f.bytes;
    st.since = now_;
    st.solver_id = solver_.add_flow(path, f.rate_cap * 1e-9);
    map_solver_flow(st.solver_id, fi);
  }

  // New max-min rates for the flows whose component changed. A flow whose
  // rate did not change keeps its projected drain time (it still drains at
  // the same rate, from the same point); the others' projections move in
  // place (sim/drain_queue.hpp).
  void update_rates() {
    for (MaxMinSolver::FlowId sid : solver_.solve()) {
      const std::uint32_t key = drain_key(solver_flow_[sid]);
      FlowState& st = state(solver_flow_[sid]);
      if (st.rate > 0 && solver_.rate(sid) == st.rate) continue;
      st.remaining = std::max(0.0, st.remaining - st.rate * static_cast<double>(now_ - st.since));
      st.since = now_;
      st.rate = solver_.rate(sid);
      if (st.rate > 0)
        drains_.set(key, later(now_, checked_time(std::ceil(st.remaining / st.rate))), queue_.take_seq());
      else
        drains_.erase(key);
    }
  }

  // The solver reuses the ids of finished flows.
  void map_solver_flow(MaxMinSolver::FlowId id, std::uint32_t mapped) {
    if (id >= solver_flow_.size()) solver_flow_.resize(id + 1);
    solver_flow_[id] = mapped;
  }

  // Graph flows are drain keys 0 .. flows - 1, exchange slots follow.
  std::uint32_t drain_key(std::uint32_t mapped) const {
    return mapped & kExchangeBit ? static_cast<std::uint32_t>(g_.flows().size()) + (mapped & ~kExchangeBit) : mapped;
  }
  FlowState& state(std::uint32_t mapped) {
    return mapped & kExchangeBit ? xflows_[mapped & ~kExchangeBit].flow : flow_state_[mapped];
  }

  void drained(std::uint32_t key) {
    if (key >= g_.flows().size()) {
      const std::uint32_t slot = key - static_cast<std::uint32_t>(g_.flows().size());
      ExchangeFlowState& x = xflows_[slot];
      solver_.remove_flow(x.flow.solver_id);
      x.flow.remaining = 0;
      const ExchangeFlow& f = g_.exchange_templates()[g_.exchanges()[x.exchange].templ].flows[x.index];
      queue_.push(later(now_, path_latency(g_.path(f.path))), kExchangeFlowDone, slot);
      return;
    }
    FlowState& st = flow_state_[key];
    solver_.remove_flow(st.solver_id);
    st.remaining = 0;
    queue_.push(later(now_, path_latency(g_.flows()[key])), kFinish, st.task);
  }

  void finish(TaskId t) {
    timeline_.end[t] = now_;
    ++finished_;
    const ResourceId r = g_.tasks()[t].resource;
    running_[r] -= g_.tasks()[t].units;
    for (std::size_t i = out_offset_[t]; i < out_offset_[t + 1]; ++i) {
      const Edge& e = g_.edges()[out_[i]];
      if (e.delay == 0)
        satisfy(e.to);
      else
        queue_.push(later(now_, e.delay), kArrive, e.to);
    }
    if (!launch_of_.empty()) exchange_launched(t);
    if (!span_of_.empty()) end_spans(t);
    if (contention_.any() && occupies(g_.tasks()[t])) contend(r, -1);
    try_start(r);
  }

  // `t` ended: the spans that last until it end now (those not started yet
  // end as they start).
  void end_spans(TaskId t) {
    auto it = std::lower_bound(span_of_.begin(), span_of_.end(), std::pair<TaskId, TaskId>{t, 0});
    for (; it != span_of_.end() && it->first == t; ++it)
      if (timeline_.start[it->second] != kNotYet) queue_.push(now_, kFinish, it->second);
  }

  // Names every task that is first in line and cannot start, with the
  // predecessors it still waits for.
  std::string deadlock_report() const {
    std::vector<std::vector<TaskId>> preds(n_);
    for (const Edge& e : g_.edges())
      if (timeline_.end[e.from] == kNotYet) preds[e.to].push_back(e.from);
    std::string msg = "deadlock: " + std::to_string(n_ - finished_) + " of " + std::to_string(n_) +
                      " tasks never ran; stuck:";
    int listed = 0;
    auto list_task = [&](TaskId t) {
      if (listed++ >= 12) return;
      msg += "\n  " + g_.describe(t) + " waits for ";
      for (std::size_t i = 0; i < preds[t].size(); ++i)
        msg += (i ? ", " : "") + g_.describe(preds[t][i]);
    };
    for (ResourceId r = 0; r < g_.resources().size(); ++r) {
      const auto& list = g_.resource_tasks(r);
      if (g_.resources()[r].order == ResourceOrder::kProgram) {
        if (cursor_[r] < list.size()) list_task(list[cursor_[r]]);
      } else {
        for (TaskId t : list)
          if (timeline_.start[t] == kNotYet) list_task(t);
      }
    }
    if (listed > 12) msg += "\n  ... and " + std::to_string(listed - 12) + " more";
    return msg;
  }

  const TaskGraph& g_;
  std::size_t n_;
  std::vector<std::uint32_t> remaining_;
  std::vector<std::size_t> out_offset_;
  std::vector<std::uint32_t> out_;  // successor edges (indices into the graph's) by source task
  std::vector<std::size_t> cursor_;
  std::vector<int> running_;
  std::vector<std::deque<TaskId>> ready_;
  EventQueue queue_;
  DrainQueue drains_{g_.flows().size()};
  struct LaunchOf {
    TaskId task;
    std::uint32_t exchange, member;
  };
  std::vector<LaunchOf> launch_of_;            // exchange launch tasks, by task
  std::vector<std::uint8_t> launched_;         // per exchange member
  std::vector<std::pair<TaskId, TaskId>> span_of_;  // (until, span task), sorted
  Contention contention_{g_};
  std::vector<double> old_factor_ = std::vector<double>(g_.resources().size(), 1.0);  // factor progress was banked at
  std::vector<Time> due_;                               // per task: its projected end while slowed
  std::vector<std::vector<SlowedTask>> running_slowed_; // per resource
  std::vector<ResourceId> changed_;
  std::vector<ExchangeFlowState> xflows_;      // exchange flows in flight (slots)
  std::vector<std::uint32_t> free_slots_;
  MaxMinSolver solver_;
  std::vector<FlowState> flow_state_;      // per graph flow
  std::vector<std::uint32_t> solver_flow_; // solver flow id -> graph flow, or exchange slot | kExchangeBit
  Time now_ = 0;
  std::size_t finished_ = 0;
  Timeline timeline_;
  static constexpr std::uint64_t kReportEvery = 1 << 16;
  std::uint64_t next_report_ = kReportEvery;
};

}  // namespace

Timeline run(const TaskGraph& graph) { return Runner(graph).run(); }

ProgressScope::ProgressScope(std::function<void(const RunProgress&)> hook) : previous_(std::move(progress_hook())) {
  progress_hook() = std::move(hook);
}

ProgressScope::~ProgressScope() { progress_hook() = std::move(previous_); }

}  // namespace v3sim::sim
