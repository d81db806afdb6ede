// v3sim_probe_interference: an FP8 GEMM on (SMs - 20) SMs alone and beside the
// dispatch kernel on 20 SMs (DeepSeek-V3's split), each timed alone and
// overlapped, so the slowdown of overlapped computation and communication is
// measured rather than assumed.
//
// Method. Each timed run is three windows, each starting after an L2 flush,
// with the host launch time hidden by a held stream (timing.hpp):
//   1. the GEMM alone, executed N_g times back to back;
//   2. the dispatch alone, executed N_c times back to back;
//   3. both loops at once on two streams. The dispatch loop starts first; the
//      GEMM stream waits (a one-thread kernel polling a counter the dispatch
//      blocks raise as they start) until all 20 dispatch blocks are resident,
//      so the GEMM cannot take their SMs first.
// Events between executions give every execution's duration. N_g and N_c are
// chosen so each window lasts about five times the longer of the two kernels.
// Overlapped times are the durations of the executions that lie at least 95%
// inside the other loop's span; alone times are all executions of windows 1
// and 2. The case reports the medians over all timed runs.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "ep_workload.hpp"
#include "gates.hpp"
#include "gemm_workload.hpp"
#include "overlap.hpp"
#include "probe_main.hpp"
#include "stats.hpp"
#include "timing.hpp"

namespace v3sim::probes {
namespace {

constexpr int kCommSms = 20;
constexpr double kWindowPeriods = 5;   // a window lasts this many of the longer kernel
constexpr double kInsideShare = 0.95;  // an overlapped execution lies this much inside the other loop
constexpr int kMaxExecutions = 200;

struct Samples {
  std::vector<double> gemm_alone, comm_alone, gemm_overlapped, comm_overlapped;
};

class Interference {
 public:
  Interference(Harness& harness, const GemmWorkload& gemm, const EpWorkload& comm, const SmBoundLaunch& launch,
               int device)
      : harness_(harness), gemm_(gemm), comm_(comm), launch_(launch), counter_(2 * sizeof(unsigned), device) {
    CUDA_CHECK(cudaMemset(counter_.get(), 0, counter_.bytes()));
    CUDA_CHECK(cudaDeviceSynchronize());
    // Load every kernel of the held windows before holding anything (Harness::prime).
    harness_.prime(gemm_stream_.get(), gemm_op());
    harness_.prime(comm_stream_.get(), comm_op());
    auto* counter = counter_.as<unsigned>();
    launch_counter_gate(counter, 0, reinterpret_cast<int*>(counter + 1), gemm_stream_.get());
    CUDA_CHECK(cudaStreamSynchronize(gemm_stream_.get()));
  }

  // Median alone durations from a short window of each: sizes the loops.
  void size_loops() {
    const double g = median_of(alone(gemm_stream_.get(), 3, gemm_op()));
    const double c = median_of(alone(comm_stream_.get(), 3, comm_op()));
    const double window = kWindowPeriods * std::max(g, c);
    gemm_executions_ = std::clamp(static_cast<int>(std::ceil(window / g)), 3, kMaxExecutions);
    comm_executions_ = std::clamp(static_cast<int>(std::ceil(window / c)), 3, kMaxExecutions);
  }

  void measure(int runs, Samples* keep) {
    for (int r = 0; r < runs; ++r) {
      const auto g = alone(gemm_stream_.get(), gemm_executions_, gemm_op());
      const auto c = alone(comm_stream_.get(), comm_executions_, comm_op());
      if (keep == nullptr) {
        overlapped(nullptr);
        continue;
      }
      keep->gemm_alone.insert(keep->gemm_alone.end(), g.begin(), g.end());
      keep->comm_alone.insert(keep->comm_alone.end(), c.begin(), c.end());
      overlapped(keep);
    }
  }

  int gemm_executions() const { return gemm_executions_; }
  int comm_executions() const { return comm_executions_; }

 private:
  static double median_of(const std::vector<double>& v) { return summarize(v).median_s; }

  Op gemm_op() const {
    return [this](cudaStream_t s, int i) { gemm_.run(s, i); };
  }
  Op comm_op(unsigned* started = nullptr) const {
    return [this, started](cudaStream_t s, int i) { comm_.dispatch(s, launch_, i == 0 ? started : nullptr); };
  }

  std::vector<double> alone(cudaStream_t stream, int executions, const Op& op) {
    const TimedLoop loop(executions);
    harness_.flusher().flush(stream);
    harness_.gate().hold(stream);
    loop.enqueue(stream, op);
    harness_.gate().release();
    CUDA_CHECK(cudaStreamSynchronize(stream));
    harness_.gate().check();
    return durations(loop.stamps(loop.first()));
  }

  void overlapped(Samples* keep) {
    const TimedLoop comm(comm_executions_);
    const TimedLoop gemm(gemm_executions_);
    const CudaEvent go;
    auto* started = counter_.as<unsigned>();
    auto* timed_out = reinterpret_cast<int*>(started + 1);
    started_target_ += static_cast<unsigned>(launch_.blocks);

    harness_.flusher().flush(comm_stream_.get());
    harness_.gate().hold(comm_stream_.get());
    CUDA_CHECK(cudaEventRecord(go.get(), comm_stream_.get()));
    CUDA_CHECK(cudaStreamWaitEvent(gemm_stream_.get(), go.get(), 0));
    comm.enqueue(comm_stream_.get(), comm_op(started));
    launch_counter_gate(started, started_target_, timed_out, gemm_stream_.get());
    gemm.enqueue(gemm_stream_.get(), gemm_op());
    harness_.gate().release();
    CUDA_CHECK(cudaStreamSynchronize(comm_stream_.get()));
    CUDA_CHECK(cudaStreamSynchronize(gemm_stream_.get()));
    harness_.gate().check();
    int timed_out_host = 0;
    CUDA_CHECK(cudaMemcpy(&timed_out_host, timed_out, sizeof timed_out_host, cudaMemcpyDeviceToHost));
    if (timed_out_host != 0)
      throw std::runtime_error(
          "the GEMM stream waited in vain for the dispatch blocks to start: the two streams "
          "did not run concurrently");
    if (keep == nullptr) return;

    const std::vector<double> c = comm.stamps(comm.first());
    const std::vector<double> g = gemm.stamps(comm.first());
    const auto gemm_inside = durations_inside(g, c.front(), c.back(), kInsideShare);
    const auto comm_inside = durations_inside(c, g.front(), g.back(), kInsideShare);
    keep->gemm_overlapped.insert(keep->gemm_overlapped.end(), gemm_inside.begin(), gemm_inside.end());
    keep->comm_overlapped.insert(keep->comm_overlapped.end(), comm_inside.begin(), comm_inside.end());
  }

  Harness& harness_;
  const GemmWorkload& gemm_;
  const EpWorkload& comm_;
  SmBoundLaunch launch_;
  CudaStream gemm_stream_;
  CudaStream comm_stream_;
  DeviceBuffer counter_;  // [0]: dispatch blocks started, ever; [1]: the counter gate timed out
  unsigned started_target_ = 0;
  int gemm_executions_ = 3;
  int comm_executions_ = 3;
};

JsonObject interference_case(const GemmSpec& s, int gemm_sms) {
  JsonObject c;
  c.add("kind", "interference")
      .add("m", s.m)
      .add("n", s.n)
      .add("k", s.k)
      .add("groups", s.groups)
      .add("gemm_sms", gemm_sms)
      .add("comm_sms", kCommSms);
  return c;
}

std::string change(double alone, double overlapped) {
  char text[64];
  std::snprintf(text, sizeof text, "%.1f -> %.1f us (%+.1f%%)", 1e6 * alone, 1e6 * overlapped,
                100 * (overlapped / alone - 1));
  return text;
}

void run(const ProbeContext& context, Report& report) {
  const DeviceInfo& device = context.device;
  const ProbeArgs& args = context.args;
  if (device.sms <= kCommSms) throw std::runtime_error("the device has too few SMs for a 20-SM communication split");
  const int gemm_sms = device.sms - kCommSms;
  std::vector<GemmSpec> shapes = {{Precision::kFp8E4M3, 4096, 7168, 2048, 1, false},
                                  {Precision::kFp8E4M3, 4096, 4096, 7168, 1, false},
                                  {Precision::kFp8E4M3, 8192, 4096, 7168, 4, false}};
  if (args.quick) shapes.resize(1);
  const SmBoundLaunch launch{
      kCommSms, one_block_per_sm_shared_bytes(device.shared_memory_per_sm, device.shared_memory_per_block_optin)};

  report.note(
      "GEMM: FP8 through cuBLASLt as in the gemm probe (its method field applies), SM count target = SMs - 20 "
      "(a hint to cuBLASLt's heuristic); communication: the alltoall probe's dispatch kernel (4096 tokens, "
      "hidden 7168, top-8 of 256, target local) on exactly 20 thread blocks, one per SM");
  report.note(
      "method: each timed run is three windows after an L2 flush: the GEMM alone N_g times back to back, the "
      "dispatch alone N_c times, then both loops at once on two streams (the dispatch first; the GEMM stream "
      "waits until all 20 dispatch blocks are resident). Events between executions time each one. N_g and "
      "N_c make each window about 5 times the longer kernel. Overlapped times: executions lying at least 95% "
      "inside the other loop's span; alone times: all executions of the alone windows; medians over all "
      "timed runs; runs counts the timed runs. Each case's note gives N_g, N_c and the sample counts");
  report.note(
      "the dispatch writes into this GPU's own memory (target local), so its receive traffic also loads this "
      "HBM, which a real exchange puts on the peers: a pessimistic setting for the GEMM");

  cublasLtHandle_t handle = nullptr;
  CUBLAS_CHECK(cublasLtCreate(&handle));
  CudaStream setup;
  Harness harness(device);
  const EpWorkload comm(EpShape{}, device.index, device.index, 7, setup.get());
  for (const GemmSpec& spec : shapes) {
    GemmWorkload gemm(handle, spec, device, setup.get());
    JsonObject c = interference_case(spec, gemm_sms);
    std::string reason;
    if (!gemm.plan(gemm_sms, setup.get(), &reason)) {
      report.add_case(c.add("skipped", reason));
      progress(context, spec.label() + ": skipped: " + reason);
      continue;
    }
    Interference probe(harness, gemm, comm, launch, device.index);
    probe.size_loops();
    probe.measure(args.warmup, nullptr);
    Samples s;
    probe.measure(args.repeats, &s);
    if (s.gemm_overlapped.empty() || s.comm_overlapped.empty()) {
      report.add_case(c.add("skipped", "no execution ran entirely beside the other kernel"));
      progress(context, spec.label() + ": skipped: no overlapped executions");
      continue;
    }
    const double gemm_alone = summarize(s.gemm_alone).median_s;
    const double gemm_overlapped = summarize(s.gemm_overlapped).median_s;
    const double comm_alone = summarize(s.comm_alone).median_s;
    const double comm_overlapped = summarize(s.comm_overlapped).median_s;
    c.add("gemm_alone_s", gemm_alone)
        .add("gemm_overlapped_s", gemm_overlapped)
        .add("comm_alone_s", comm_alone)
        .add("comm_overlapped_s", comm_overlapped)
        .add("runs", args.repeats)
        .add("method", gemm.method(1))
        .add("note",
             "N_g " + std::to_string(probe.gemm_executions()) + ", N_c " + std::to_string(probe.comm_executions()) +
                 "; samples: GEMM alone " + std::to_string(s.gemm_alone.size()) + ", overlapped " +
                 std::to_string(s.gemm_overlapped.size()) + "; dispatch alone " + std::to_string(s.comm_alone.size()) +
                 ", overlapped " + std::to_string(s.comm_overlapped.size()));
    report.add_case(c);
    progress(context, spec.label() + " on " + std::to_string(gemm_sms) + " SMs beside dispatch on " +
                          std::to_string(kCommSms) + ": GEMM " + change(gemm_alone, gemm_overlapped) + ", dispatch " +
                          change(comm_alone, comm_overlapped));
  }
  CUBLAS_CHECK(cublasLtDestroy(handle));
}

}  // namespace
}  // namespace v3sim::probes

int main(int argc, char** argv) {
  return v3sim::probes::probe_main(argc, argv, "interference",
                                   "an FP8 GEMM alone and beside the dispatch kernel on 20 SMs", v3sim::probes::run);
}
