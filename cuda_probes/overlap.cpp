#include "overlap.hpp"

#include <algorithm>

namespace v3sim::probes {

TimedLoop::TimedLoop(int executions) : marks_(static_cast<std::size_t>(executions) + 1) {}

void TimedLoop::enqueue(cudaStream_t stream, const Op& op) const {
  CUDA_CHECK(cudaEventRecord(marks_[0].get(), stream));
  for (int i = 0; i < executions(); ++i) {
    op(stream, i);
    CUDA_CHECK(cudaEventRecord(marks_[static_cast<std::size_t>(i) + 1].get(), stream));
  }
}

std::vector<double> TimedLoop::stamps(const CudaEvent& origin) const {
  std::vector<double> t;
  t.reserve(marks_.size());
  for (const CudaEvent& mark : marks_) t.push_back(elapsed_seconds(origin, mark));
  return t;
}

std::vector<double> durations(const std::vector<double>& stamps) {
  std::vector<double> d;
  for (std::size_t i = 1; i < stamps.size(); ++i) d.push_back(stamps[i] - stamps[i - 1]);
  return d;
}

std::vector<double> durations_inside(const std::vector<double>& stamps, double from, double to, double share) {
  std::vector<double> d;
  for (std::size_t i = 1; i < stamps.size(); ++i) {
    const double duration = stamps[i] - stamps[i - 1];
    const double covered = std::min(stamps[i], to) - std::max(stamps[i - 1], from);
    if (duration > 0 && covered >= share * duration) d.push_back(duration);
  }
  return d;
}

}  // namespace v3sim::probes
