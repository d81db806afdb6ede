#pragma once
// The timing harness: CUDA events around GPU work, with two precautions.
//  - Host launch cost is hidden: before the start event the stream runs a
//    kernel that spins until the host has enqueued the whole timed region
//    (NVBench's "blocking kernel"), so the region then runs back to back and
//    the events see GPU time only, even for kernels shorter than a launch.
//  - L2 is flushed before every timed run (a 256 MiB write, as DeepGEMM's
//    benchmark does), so every run reads its inputs from HBM.
#include <cuda_runtime_api.h>

#include <functional>
#include <vector>

#include "cuda_handles.hpp"
#include "device_info.hpp"

namespace v3sim::probes {

class HostGate {
 public:
  HostGate();
  ~HostGate();
  HostGate(const HostGate&) = delete;
  HostGate& operator=(const HostGate&) = delete;

  void hold(cudaStream_t stream);  // the stream waits from here ...
  void release();                  // ... until the host calls this
  // After the held work has completed: throws std::runtime_error if the gate
  // gave up waiting (the measurement would include host time).
  void check() const;

 private:
  int* host_ = nullptr;    // [0]: released generation, [1]: timed out
  int* device_ = nullptr;  // the same two ints, as the GPU addresses them
  int generation_ = 0;
};

class L2Flusher {
 public:
  explicit L2Flusher(const DeviceInfo& device);
  void flush(cudaStream_t stream);

 private:
  DeviceBuffer buffer_;
  int value_ = 0;
};

// One execution of the work under test; `iteration` counts executions, so
// the work can rotate through copies of its operands.
using Op = std::function<void(cudaStream_t stream, int iteration)>;

class Harness {
 public:
  explicit Harness(const DeviceInfo& device) : flusher_(device) {}

  // `warmup` untimed then `repeats` timed runs; each run is: flush L2, hold
  // the stream, start event, `batch` executions of `op`, stop event, release,
  // synchronise. Returns the seconds per execution of each timed run.
  std::vector<double> measure(cudaStream_t stream, int warmup, int repeats, int batch, const Op& op);

  // One execution outside any held region, then synchronise. CUDA loads
  // kernels lazily, at their first launch, and a load may wait for the whole
  // context to go idle, which a held stream never does: so every op runs once
  // unheld before it is timed. (A missed one costs the gate's timeout and an
  // error, not a hang.)
  void prime(cudaStream_t stream, const Op& op);

  // measure() after prime(), with the batch chosen by batch_for from the
  // fastest warm-up run (at least one warm-up run, of one execution, is made).
  struct Batched {
    std::vector<double> seconds;
    int batch = 1;
  };
  Batched measure_batched(cudaStream_t stream, int warmup, int repeats, const Op& op);

  HostGate& gate() { return gate_; }
  L2Flusher& flusher() { return flusher_; }

 private:
  HostGate gate_;
  L2Flusher flusher_;
  CudaEvent start_;
  CudaEvent stop_;
  int iteration_ = 0;
};

// Executions per timed run so that a run lasts about 0.5 ms (1 to 64): short
// kernels are timed in batches, because a CUDA event pair has about half a
// microsecond of resolution and a few microseconds of overhead.
int batch_for(double seconds_per_execution);

}  // namespace v3sim::probes
