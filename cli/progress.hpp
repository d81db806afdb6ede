#pragma once
// Sweep progress on stderr: a bar redrawn in place when stderr is a terminal,
// otherwise a plain line every twentieth of the work (logs stay short).
#include <chrono>
#include <cstddef>
#include <mutex>

namespace v3sim::cli {

class Progress {
 public:
  // `total` points, `already` of them done before this run (resume).
  Progress(std::size_t total, std::size_t already, bool terminal);
  void tick();    // one more point done (thread-safe)
  void finish();  // the final line

 private:
  void draw(bool last);

  std::size_t total_, done_, start_done_;
  bool terminal_;
  std::size_t next_line_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
};

}  // namespace v3sim::cli
