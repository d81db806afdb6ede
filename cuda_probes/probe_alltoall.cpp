// v3sim_probe_alltoall: the memory work of expert-parallel dispatch (BF16 in,
// FP8 with per-128-channel scales out, scattered to top-k receive rows) and
// combine (top-k BF16 rows gathered, gate-weighted, summed in FP32), on
// exactly B thread blocks = B SMs, into this GPU's memory ("local") and, where
// a second GPU accepts peer access, into that GPU's memory ("peer").
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "ep_workload.hpp"
#include "probe_main.hpp"
#include "stats.hpp"
#include "sweeps.hpp"
#include "timing.hpp"

namespace v3sim::probes {
namespace {

constexpr int kPeer = 1;

JsonObject ep_case(const char* kind, int sms, const EpShape& s, const char* target) {
  JsonObject c;
  c.add("kind", kind)
      .add("sms", sms)
      .add("tokens", s.tokens)
      .add("hidden", s.hidden)
      .add("topk", s.topk)
      .add("experts", s.experts)
      .add("target", target);
  return c;
}

// Enables peer access from GPU 0 to GPU 1; an empty string on success, else why not.
std::string enable_peer(const DeviceInfo& device) {
  if (device.gpus < 2) return "only one GPU is visible";
  int can = 0;
  CUDA_CHECK(cudaDeviceCanAccessPeer(&can, device.index, kPeer));
  if (can == 0) return "GPU 0 cannot access GPU 1 as a peer";
  const cudaError_t e = cudaDeviceEnablePeerAccess(kPeer, 0);
  if (e == cudaErrorPeerAccessAlreadyEnabled) {
    (void)cudaGetLastError();  // not an error here; clear it
  } else if (e != cudaSuccess) {
    (void)cudaGetLastError();
    return std::string("cudaDeviceEnablePeerAccess failed: ") + cudaGetErrorString(e);
  }
  return "";
}

std::string summary(const Timing& t, const EpBytes& bytes) {
  char text[128];
  std::snprintf(text, sizeof text, "%.1f us, logical %.0f GB/s, read+write %.0f GB/s", 1e6 * t.median_s,
                1e-9 * bytes.logical / t.median_s, 1e-9 * (bytes.read + bytes.written) / t.median_s);
  return text;
}

void run(const ProbeContext& context, Report& report) {
  const DeviceInfo& device = context.device;
  const ProbeArgs& args = context.args;
  const EpShape shape;
  std::vector<int> blocks = block_counts(device.sms);
  if (args.quick) blocks = {std::min(20, device.sms), device.sms};
  const std::size_t shared =
      one_block_per_sm_shared_bytes(device.shared_memory_per_sm, device.shared_memory_per_block_optin);

  report.note("setting: " + std::to_string(shape.tokens) + " tokens of hidden " + std::to_string(shape.hidden) +
              ", each to its top-" + std::to_string(shape.topk) + " of " + std::to_string(shape.experts) +
              " experts, drawn uniformly (distinct, seeded); receive rows laid out per expert, in token order");
  report.note(
      "dispatch: reads each token's BF16 vector, quantises it to FP8 E4M3 with one FP32 scale per 128 "
      "channels (amax / 448) and writes payload and scales to its top-k receive rows");
  report.note(
      "combine: reads each token's top-k BF16 expert-output rows, multiplies by the gate weights, sums in "
      "FP32 and writes one BF16 vector; with target peer the expert outputs live on the peer and are read "
      "over the link (a pull; DeepEP's combine pushes, moving the same bytes)");
  report.note("sms: the kernels run on exactly that many thread blocks of " + std::to_string(kSmBoundThreads) +
              " threads (persistent grid-stride loops); each block reserves " + std::to_string(shared) +
              " bytes of shared memory so no SM holds two: one block (32 warps) per SM");
  report.note(
      "bytes: bytes_read and bytes_written count every array the kernel touches (routing included); "
      "logical_bytes is DeepEP's accounting: per received token copy, H + H/128*4 bytes (FP8 with scales) "
      "for dispatch, 2H (BF16) for combine");
  report.note(
      "target local: receive buffers in this GPU's HBM, so both ends' memory traffic lands on one HBM; "
      "target peer: receive buffers on GPU 1 through CUDA peer access (NVLink on SXM systems)");
  report.note(
      "timing: CUDA events; L2 flushed before every timed run; the stream is held by a spinning kernel "
      "until the run is enqueued, so host launch time is excluded; runs shorter than 0.5 ms are batched back "
      "to back and the time divided");

  std::vector<std::pair<const char*, int>> targets = {{"local", device.index}};
  const std::string peer_problem = enable_peer(device);
  if (peer_problem.empty()) {
    targets.push_back({"peer", kPeer});
    int rank = 0;
    CUDA_CHECK(cudaDeviceGetP2PAttribute(&rank, cudaDevP2PAttrPerformanceRank, device.index, kPeer));
    report.note(
        "peer: GPU 1, peer access enabled (the driver's relative link performance rank: " + std::to_string(rank) + ")");
  } else {
    report.note("peer: not measured: " + peer_problem);
  }

  CudaStream stream;
  Harness harness(device);
  for (const auto& [target, target_device] : targets) {
    const EpWorkload work(shape, device.index, target_device, 2024, stream.get());
    for (const int b : blocks) {
      const SmBoundLaunch launch{b, shared};
      for (const char* kind : {"dispatch", "combine"}) {
        const bool dispatch = kind[0] == 'd';
        const EpBytes bytes = dispatch ? work.dispatch_bytes() : work.combine_bytes();
        const auto m = harness.measure_batched(stream.get(), args.warmup, args.repeats, [&](cudaStream_t s, int) {
          if (dispatch)
            work.dispatch(s, launch);
          else
            work.combine(s, launch);
        });
        const Timing t = summarize(m.seconds);
        JsonObject c = ep_case(kind, b, shape, target);
        c.add("bytes_read", bytes.read).add("bytes_written", bytes.written).add("logical_bytes", bytes.logical);
        add_timing(c, t);
        report.add_case(c);
        progress(context, std::string(kind) + " " + target + " on " + std::to_string(b) + " SMs: " + summary(t, bytes));
      }
    }
  }
  if (!peer_problem.empty())
    for (const int b : blocks)
      for (const char* kind : {"dispatch", "combine"})
        report.add_case(ep_case(kind, b, shape, "peer").add("skipped", peer_problem));
}

}  // namespace
}  // namespace v3sim::probes

int main(int argc, char** argv) {
  return v3sim::probes::probe_main(argc, argv, "alltoall",
                                   "expert-parallel dispatch and combine kernels against the SMs they hold",
                                   v3sim::probes::run);
}
