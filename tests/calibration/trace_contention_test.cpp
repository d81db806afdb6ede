// Slowdowns read off a trace by comparing kernels with themselves
// (calibration/trace_contention.hpp), on hand-built timelines.
#include <gtest/gtest.h>

#include "calibration/profiler_trace.hpp"
#include "calibration/trace_contention.hpp"

namespace v3sim::calibration {
namespace {

constexpr std::int64_t kMain = 7, kSecond = 23, kComm = 27;

struct Builder {
  ProfilerTrace t;
  Builder() { t.streams = {{kMain, StreamRole::kCompute}, {kSecond, StreamRole::kSecondCompute}, {kComm, StreamRole::kComm}}; }
  void kernel(const std::string& name, std::int64_t stream, double start, double dur, int grid = 132) {
    TraceKernel k;
    k.name = name;
    k.stream = stream;
    k.start_us = start;
    k.dur_us = dur;
    k.grid = {grid, 1, 1};
    t.kernels.push_back(k);
  }
};

// Three kernels, each alone twice and beside a comm kernel four times. The
// slowed instances take 500 us against 400 us alone (x1.25) for a and 150
// against 100 (x1.5) for b, c x1.1 at 330 against 300: pooled by time,
// (4*500 + 4*150 + 4*330) / (4*400 + 4*100 + 4*300) = 3920 / 3200 = 1.225.
TEST(TraceContention, PoolsEachKernelAgainstItselfAloneWeightedByTime) {
  Builder b;
  double t = 0;
  auto alone = [&](const std::string& n, double d) { b.kernel(n, kMain, t, d); t += d + 10; };
  auto beside = [&](const std::string& n, double d) {
    b.kernel("comm", kComm, t - 1, d + 2);
    b.kernel(n, kMain, t, d);
    t += d + 10;
  };
  for (int i = 0; i < 2; ++i) alone("a", 400), alone("b", 100), alone("c", 300);
  for (int i = 0; i < 4; ++i) beside("a", 500), beside("b", 150), beside("c", 330);
  std::sort(b.t.kernels.begin(), b.t.kernels.end(), [](const TraceKernel& x, const TraceKernel& y) { return x.start_us < y.start_us; });
  const TraceContention c = measure_contention(b.t);
  EXPECT_NEAR(c.beside_comm.ratio, 3920.0 / 3200.0, 1e-12);
  EXPECT_EQ(c.beside_comm.kernels, 3);
  EXPECT_EQ(c.beside_comm.instances, 12);
  EXPECT_TRUE(c.beside_comm.usable());
  EXPECT_EQ(c.main_beside_second.kernels, 0);
  EXPECT_FALSE(c.main_beside_second.usable());
}

// A kernel seen only one way, a half-overlapped instance and a kernel too
// short to time are left out; a different grid is a different kernel.
TEST(TraceContention, LeavesOutWhatIsNotSeenBothWays) {
  Builder b;
  b.kernel("a", kMain, 0, 100);
  b.kernel("comm", kComm, 199, 52);  // covers a's second instance fully
  b.kernel("a", kMain, 200, 50);     // x0.5: beside
  b.kernel("a", kMain, 300, 100, 64);  // other grid: alone only
  b.kernel("comm", kComm, 450, 50);
  b.kernel("a", kMain, 450, 100);    // half overlapped: neither
  b.kernel("tiny", kMain, 600, 5);
  b.kernel("comm", kComm, 700, 10);
  b.kernel("tiny", kMain, 700, 9);
  const TraceContention c = measure_contention(b.t);
  EXPECT_EQ(c.beside_comm.kernels, 1);
  EXPECT_EQ(c.beside_comm.instances, 1);
  EXPECT_NEAR(c.beside_comm.ratio, 0.5, 1e-12);
  EXPECT_FALSE(c.beside_comm.usable());
}

// The second stream against itself beside communication only.
TEST(TraceContention, StreamsBesideEachOtherAgainstBesideCommunicationOnly) {
  Builder b;
  b.kernel("comm", kComm, 0, 10000);
  b.kernel("w", kSecond, 100, 200);  // beside comm only
  b.kernel("g", kMain, 400, 300);    // beside comm only
  b.kernel("w", kSecond, 800, 360);  // beside comm and g: x1.8
  b.kernel("g", kMain, 800, 360);    // beside comm and w: x1.2
  const TraceContention c = measure_contention(b.t);
  EXPECT_NEAR(c.second_beside_main.ratio, 360.0 / 200.0, 1e-12);
  EXPECT_NEAR(c.main_beside_second.ratio, 360.0 / 300.0, 1e-12);
  EXPECT_EQ(c.beside_comm.kernels, 0);  // nothing ran alone
}

}  // namespace
}  // namespace v3sim::calibration
