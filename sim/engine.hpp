#pragma once
// The discrete-event engine: runs a TaskGraph to completion and returns when
// every task started and ended. Deterministic: the same graph gives the same
// timeline, bit for bit.
#include <cstdint>
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

}  // namespace v3sim::sim
