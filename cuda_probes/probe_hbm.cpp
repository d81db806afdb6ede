// v3sim_probe_hbm: device-to-device copy bandwidth against the number of SMs
// that copy, plus cudaMemcpyAsync as the reference ("sms": 0). "bytes" is the
// size copied; HBM moves twice that (each byte read once and written once).
#include <algorithm>
#include <cstdio>
#include <vector>

#include "copy_kernel.hpp"
#include "fill.hpp"
#include "probe_main.hpp"
#include "stats.hpp"
#include "sweeps.hpp"
#include "timing.hpp"

namespace v3sim::probes {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;
constexpr std::size_t kLargest = 1024 * kMiB;

JsonObject copy_case(int sms, std::size_t bytes, const Harness::Batched& m) {
  JsonObject c;
  c.add("kind", "hbm_copy").add("sms", sms).add("bytes", static_cast<double>(bytes));
  add_timing(c, summarize(m.seconds));
  return c;
}

std::string rate(std::size_t bytes, const Harness::Batched& m) {
  char text[96];
  std::snprintf(text, sizeof text, "%.1f us, %.0f GB/s read+write (batch %d)", 1e6 * summarize(m.seconds).median_s,
                2e-9 * static_cast<double>(bytes) / summarize(m.seconds).median_s, m.batch);
  return text;
}

void run(const ProbeContext& context, Report& report) {
  const DeviceInfo& device = context.device;
  const ProbeArgs& args = context.args;
  const std::vector<std::size_t> sizes =
      args.quick ? std::vector<std::size_t>{64 * kMiB} : std::vector<std::size_t>{kLargest, 64 * kMiB};
  std::vector<int> blocks = block_counts(device.sms);
  if (args.quick) blocks = {std::min(20, device.sms), device.sms};
  const std::size_t shared =
      one_block_per_sm_shared_bytes(device.shared_memory_per_sm, device.shared_memory_per_block_optin);

  report.note("hbm_copy: a copy kernel on exactly `sms` thread blocks of " + std::to_string(kSmBoundThreads) +
              " threads, each reserving " + std::to_string(shared) +
              " bytes of shared memory so that no SM holds two: `sms` blocks run on `sms` SMs (16-byte loads, 4 in "
              "flight per thread, grid-stride loop)");
  report.note(
      "hbm_copy: `bytes` is the size copied; HBM traffic is twice that (read once, written once); sms 0 is "
      "cudaMemcpyAsync device to device, the driver's own copy, as a reference");
  report.note(
      "timing: CUDA events; L2 flushed (256 MiB memset) before every timed run; the stream is held by a "
      "spinning kernel until the run is enqueued, so host launch time is excluded; copies shorter than 0.5 ms "
      "are batched back to back over different parts of 1 GiB buffers and the time divided");

  CudaStream stream;
  Harness harness(device);
  DeviceBuffer src(kLargest, device.index);
  DeviceBuffer dst(kLargest, device.index);
  fill_bf16(src.get(), kLargest / 2, 17, 1.0f, stream.get());
  CUDA_CHECK(cudaMemsetAsync(dst.get(), 0, kLargest, stream.get()));
  CUDA_CHECK(cudaStreamSynchronize(stream.get()));

  for (const std::size_t bytes : sizes) {
    const std::size_t slices = kLargest / bytes;  // batched copies rotate through disjoint slices
    auto at = [&](const DeviceBuffer& b, int iteration) {
      return static_cast<char*>(b.get()) + static_cast<std::size_t>(iteration) % slices * bytes;
    };
    for (const int b : blocks) {
      const SmBoundLaunch launch{b, shared};
      const auto m = harness.measure_batched(stream.get(), args.warmup, args.repeats, [&](cudaStream_t s, int i) {
        launch_copy(at(dst, i), at(src, i), bytes, launch, s);
      });
      report.add_case(copy_case(b, bytes, m));
      progress(context,
               "copy " + std::to_string(bytes / kMiB) + " MiB on " + std::to_string(b) + " SMs: " + rate(bytes, m));
    }
    const auto m = harness.measure_batched(stream.get(), args.warmup, args.repeats, [&](cudaStream_t s, int i) {
      CUDA_CHECK(cudaMemcpyAsync(at(dst, i), at(src, i), bytes, cudaMemcpyDeviceToDevice, s));
    });
    report.add_case(copy_case(0, bytes, m));
    progress(context, "cudaMemcpyAsync " + std::to_string(bytes / kMiB) + " MiB: " + rate(bytes, m));
  }
}

}  // namespace
}  // namespace v3sim::probes

int main(int argc, char** argv) {
  return v3sim::probes::probe_main(argc, argv, "hbm", "device-to-device copy bandwidth against the SMs copying",
                                   v3sim::probes::run);
}
