#pragma once
// The discrete-event engine: runs a TaskGraph to completion and returns when
// every task started and ended. Deterministic: the same graph gives the same
// timeline, bit for bit.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/task_graph.hpp"
#include "sim/time.hpp"

namespace v3sim::sim {

struct Timeline {
  std::vector<Time> start;  // per task
  std::vector<Time> end;    // per task
  Time makespan = 0;        // latest end
  std::uint64_t events = 0; // events processed
  double wall_seconds = 0;  // host time spent in run()
};

// Thrown when tasks remain but nothing can happen any more. what() names the
// stuck tasks and what each waits for.
class DeadlockError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Timeline run(const TaskGraph& graph);

// Where a long run is, for a caller that shows it (a terminal progress line):
// reported about every 2^16 events, on the running thread, to the hook
// installed there. Never part of the result.
struct RunProgress {
  Time now = 0;               // simulated time reached
  std::uint64_t events = 0;
  std::size_t tasks_done = 0, tasks = 0;
  double wall_seconds = 0;
};

// Installs a progress hook for the runs on this thread while it lives.
class ProgressScope {
 public:
  explicit ProgressScope(std::function<void(const RunProgress&)> hook);
  ~ProgressScope();
  ProgressScope(const ProgressScope&) = delete;
  ProgressScope& operator=(const ProgressScope&) = delete;

 private:
  std::function<void(const RunProgress&)> previous_;
};

}  // namespace v3sim::sim
