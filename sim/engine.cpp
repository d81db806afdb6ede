#include "sim/engine.hpp"

#include <chrono>
#include <deque>

#include "sim/event_queue.hpp"

namespace v3sim::sim {
namespace {

enum EventKind : std::uint32_t { kFinish = 0, kArrive = 1 };

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
    for (const Edge& e : g.edges()) out_[fill[e.from]++] = e;
  }

  Timeline run() {
    const auto t0 = std::chrono::steady_clock::now();
    for (TaskId t = 0; t < n_; ++t)
      if (remaining_[t] == 0) on_ready(t);
    while (!queue_.empty()) {
      const Event e = queue_.pop();
      now_ = e.time;
      ++timeline_.events;
      if (e.kind == kFinish)
        finish(e.target);
      else
        satisfy(e.target);
    }
    timeline_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (finished_ != n_) throw DeadlockError(deadlock_report());
    timeline_.makespan = now_;
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
    while (res.capacity == 0 || running_[r] < res.capacity) {
      TaskId next;
      if (res.order == ResourceOrder::kProgram) {
        const auto& list = g_.resource_tasks(r);
        if (cursor_[r] >= list.size() || remaining_[list[cursor_[r]]] != 0) return;
        next = list[cursor_[r]++];
      } else {
        if (ready_[r].empty()) return;
        next = ready_[r].front();
        ready_[r].pop_front();
      }
      ++running_[r];
      timeline_.start[next] = now_;
      queue_.push(now_ + g_.tasks()[next].duration, kFinish, next);
    }
  }

  void finish(TaskId t) {
    timeline_.end[t] = now_;
    ++finished_;
    const ResourceId r = g_.tasks()[t].resource;
    --running_[r];
    for (std::size_t i = out_offset_[t]; i < out_offset_[t + 1]; ++i) {
      const Edge& e = out_[i];
      if (e.delay == 0)
        satisfy(e.to);
      else
        queue_.push(now_ + e.delay, kArrive, e.to);
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
  std::vector<Edge> out_;
  std::vector<std::size_t> cursor_;
  std::vector<int> running_;
  std::vector<std::deque<TaskId>> ready_;
  EventQueue queue_;
  Time now_ = 0;
  std::size_t finished_ = 0;
  Timeline timeline_;
};

}  // namespace

Timeline run(const TaskGraph& graph) { return Runner(graph).run(); }

}  // namespace v3sim::sim
