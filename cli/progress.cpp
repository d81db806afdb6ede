#include "cli/progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

namespace v3sim::cli {

Progress::Progress(std::size_t total, std::size_t already, bool terminal)
    : total_(total), done_(already), start_done_(already), terminal_(terminal), start_(std::chrono::steady_clock::now()) {
  next_line_ = done_ + std::max<std::size_t>(1, total_ / 20);
}

void Progress::tick() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++done_;
  if (terminal_ || done_ >= next_line_) {
    draw(false);
    next_line_ = done_ + std::max<std::size_t>(1, total_ / 20);
  }
}

void Progress::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  draw(true);
}

void Progress::draw(bool last) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done_ - start_done_) / seconds : 0;
  const double left = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0;
  if (terminal_) {
    constexpr int kWidth = 30;
    const int filled = total_ ? static_cast<int>(kWidth * done_ / total_) : kWidth;
    std::fprintf(stderr, "\r[%s%s] %zu/%zu points  %.1f/s  %.0f s left   %s", std::string(filled, '=').c_str(),
                 std::string(kWidth - filled, ' ').c_str(), done_, total_, rate, left, last ? "\n" : "");
  } else {
    std::fprintf(stderr, "sweep: %zu/%zu points, %.1f points/s, about %.0f s left\n", done_, total_, rate, left);
  }
  std::fflush(stderr);
}

}  // namespace v3sim::cli
