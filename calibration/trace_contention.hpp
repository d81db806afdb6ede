#pragma once
// How much a kernel slows beside others, read off a profiler trace by
// comparing each kernel with itself: the same kernel (name, grid, stream)
// runs several times in a trace (every layer), sometimes beside a
// communication kernel or the other compute stream's kernels and sometimes
// not. The ratio of its durations in the two situations is the slowdown the
// engine's contention rules need (sim/contention.hpp), measured rather than
// fitted. Kernels of one name and grid may still differ in shape (a GEMM's
// K); weighting by time and pooling many kernels is what evens that out.
#include <string>

namespace v3sim::calibration {

struct ProfilerTrace;

// One measured slowdown: sum of the slowed instances' durations over what
// the same kernels take in the reference situation (their mean there).
struct SlowdownReading {
  double ratio = 1;   // 1 where nothing was seen both ways
  int kernels = 0;    // distinct kernels seen both ways
  int instances = 0;  // slowed instances counted

  // Enough to stand for the mechanism: at least 3 kernels and 10 slowed
  // instances (fewer mix a kernel's shapes and the trace's noise into it).
  bool usable() const { return kernels >= 3 && instances >= 10; }
};

struct TraceContention {
  // Compute-stream kernels beside a comm kernel against alone (neither the
  // comm stream nor the other compute stream busy).
  SlowdownReading beside_comm;
  // Kernels of the main / the second compute stream beside the other
  // compute stream's, against beside a comm kernel only.
  SlowdownReading main_beside_second;
  SlowdownReading second_beside_main;
};

// An instance counts as "beside" with at least 90% of its time overlapped,
// "without" with at most 10%; kernels shorter than 20 us on average in the
// reference situation are left out (their durations are microsecond counts).
TraceContention measure_contention(const ProfilerTrace& trace);

}  // namespace v3sim::calibration
