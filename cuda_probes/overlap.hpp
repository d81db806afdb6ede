#pragma once
// Loops of one kernel (or one GEMM) on a stream, with an event before the
// first execution and after each, and the arithmetic on their timestamps that
// the interference probe needs: which executions ran while another loop ran.
#include <cuda_runtime_api.h>

#include <vector>

#include "cuda_handles.hpp"
#include "timing.hpp"

namespace v3sim::probes {

class TimedLoop {
 public:
  explicit TimedLoop(int executions);

  // Enqueues the loop on `stream`: mark, then (execution, mark) `executions` times.
  void enqueue(cudaStream_t stream, const Op& op) const;

  int executions() const { return static_cast<int>(marks_.size()) - 1; }
  // After completion: every mark's time, in seconds after `origin`'s.
  std::vector<double> stamps(const CudaEvent& origin) const;
  const CudaEvent& first() const { return marks_.front(); }

 private:
  std::vector<CudaEvent> marks_;
};

// The durations of the executions between consecutive `stamps`.
std::vector<double> durations(const std::vector<double>& stamps);

// The durations of the executions of which at least `share` lies inside
// [from, to]: the ones that really ran beside the other loop.
std::vector<double> durations_inside(const std::vector<double>& stamps, double from, double to, double share);

}  // namespace v3sim::probes
