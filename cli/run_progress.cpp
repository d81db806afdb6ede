#include "cli/run_progress.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

namespace v3sim::cli {

RunProgressLine::RunProgressLine() {
  if (isatty(STDERR_FILENO)) scope_.emplace([this](const sim::RunProgress& p) { draw(p); });
}

RunProgressLine::~RunProgressLine() {
  if (drawn_) std::fputs(fmt::format("\r{:80}\r", "").c_str(), stderr);
}

void RunProgressLine::draw(const sim::RunProgress& p) {
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(500)) return;
  last_ = now, drawn_ = true;
  const double done = p.tasks > 0 ? static_cast<double>(p.tasks_done) / static_cast<double>(p.tasks) : 0;
  const std::string left = done > 0.01 ? fmt::format(", about {:.0f} s left", p.wall_seconds * (1 - done) / done) : "";
  std::fputs(fmt::format("\r  simulated {:.4f} s, {:.1f}M events ({:.2f}M/s), {:.0f}% of tasks{}   ", sim::to_seconds(p.now),
                         static_cast<double>(p.events) * 1e-6,
                         p.wall_seconds > 0 ? static_cast<double>(p.events) * 1e-6 / p.wall_seconds : 0.0, 100 * done, left)
                 .c_str(),
             stderr);
  std::fflush(stderr);
}

}  // namespace v3sim::cli
