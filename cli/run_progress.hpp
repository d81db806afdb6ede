#pragma once
// A long run's progress on stderr, redrawn in place, only when stderr is a
// terminal (logs and pipes stay quiet): simulated time reached, events per
// second and, from the tasks done, an estimate of the time left. Installed for
// the commands that simulate (run, compare, export-chakra) while they do.
#include <chrono>
#include <optional>

#include "sim/engine.hpp"

namespace v3sim::cli {

class RunProgressLine {
 public:
  RunProgressLine();
  ~RunProgressLine();  // clears the line
  RunProgressLine(const RunProgressLine&) = delete;
  RunProgressLine& operator=(const RunProgressLine&) = delete;

 private:
  void draw(const sim::RunProgress& p);
  std::optional<sim::ProgressScope> scope_;
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

}  // namespace v3sim::cli
