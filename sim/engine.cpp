#include "sim/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>

#include "sim/drain_queue.hpp"
#include "sim/event_queue.hpp"
#include "sim/max_min_solver.hpp"

namespace v3sim::sim {
namespace {

enum EventKind : std::uint32_t { kFinish = 0, kArrive = 1 };

// A running flow task's progress between rate changes.
struct FlowState {
  MaxMinSolver::FlowId solver_id = 0;
  double remaining = 0;  // bytes
  double rate = 0;       // bytes per nanosecond
  Time since = 0;        // when `remaining` was last brought up to date
  TaskId task = 0;
};

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
  }

  // Whether the next event is a flow draining (rather than one in queue_).
  bool drain_first() const {
    if (drains_.empty()) return false;
    if (queue_.empty()) return true;
    return drains_.next_time() != queue_.next_time() ? drains_.next_time() < queue_.next_time()
                                                     : drains_.next_seq() < queue_.next_seq();
  }

  Timeline run() {
    const auto t0 = std::chrono::steady_clock::now();
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
        ++timeline_.events;
        if (drain) {
          const std::uint32_t fi = drains_.next_flow();
          drains_.pop();
          drained(fi);
          continue;
        }
        const Event e = queue_.pop();
        if (e.kind == kFinish)
          finish(e.target);
        else
          satisfy(e.target);
      }
    }
    timeline_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (finished_ != n_) throw DeadlockError(deadlock_report());
    for (Time e : timeline_.end) timeline_.makespan = std::max(timeline_.makespan, e);
    return std::move(timeline_);
  }

 private:
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
      if (g_.tasks()[next].flow == kNoFlow)
        queue_.push(later(now_, g_.tasks()[next].duration), kFinish, next);
      else
        start_flow(next);
    }
  }

  Time path_latency(const Flow& f) const {
    Time t = 0;
    for (LinkId l : g_.path(f.path)) t += g_.links()[l].latency;
    return t;
  }

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
    st.solver_id = solver_.add_flow(std::vector<LinkId>(path.begin(), path.end()), f.rate_cap * 1e-9);
    solver_flow_.push_back(fi);
  }

  // New max-min rates for the flows whose component changed. A flow whose
  // rate did not change keeps its projected drain time (it still drains at
  // the same rate, from the same point); the others' projections move in
  // place (sim/drain_queue.hpp).
  void update_rates() {
    for (MaxMinSolver::FlowId sid : solver_.solve()) {
      FlowState& st = flow_state_[solver_flow_[sid]];
      if (st.rate > 0 && solver_.rate(sid) == st.rate) continue;
      st.remaining = std::max(0.0, st.remaining - st.rate * static_cast<double>(now_ - st.since));
      st.since = now_;
      st.rate = solver_.rate(sid);
      if (st.rate > 0)
        drains_.set(solver_flow_[sid], later(now_, checked_time(std::ceil(st.remaining / st.rate))), queue_.take_seq());
      else
        drains_.erase(solver_flow_[sid]);
    }
  }

  void drained(std::uint32_t fi) {
    FlowState& st = flow_state_[fi];
    solver_.remove_flow(st.solver_id);
    st.remaining = 0;
    queue_.push(later(now_, path_latency(g_.flows()[fi])), kFinish, st.task);
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
    try_start(r);
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
  MaxMinSolver solver_;
  std::vector<FlowState> flow_state_;      // per graph flow
  std::vector<std::uint32_t> solver_flow_; // solver flow id -> graph flow
  Time now_ = 0;
  std::size_t finished_ = 0;
  Timeline timeline_;
};

}  // namespace

Timeline run(const TaskGraph& graph) { return Runner(graph).run(); }

}  // namespace v3sim::sim
