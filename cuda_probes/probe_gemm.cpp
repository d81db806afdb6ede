// v3sim_probe_gemm: FP8 E4M3 GEMMs through cuBLASLt on DeepGEMM's benchmark
// shapes (normal and grouped), and BF16 GEMMs with MLA attention's shapes, at
// several SM-count targets.
#include <cstdio>
#include <string>
#include <vector>

#include "check.hpp"
#include "gemm_workload.hpp"
#include "probe_main.hpp"
#include "stats.hpp"
#include "sweeps.hpp"
#include "timing.hpp"

namespace v3sim::probes {
namespace {

JsonObject gemm_case(const GemmSpec& s, int sms) {
  JsonObject c;
  c.add("kind", "gemm")
      .add("precision", s.precision_name())
      .add("m", s.m)
      .add("n", s.n)
      .add("k", s.k)
      .add("groups", s.groups)
      .add("sms", sms);
  return c;
}

std::string summary(const GemmSpec& s, const Timing& t) {
  char text[64];
  std::snprintf(text, sizeof text, "%.1f us, %.0f TFLOPS", 1e6 * t.median_s, 1e-12 * s.flops() / t.median_s);
  return text;
}

void run(const ProbeContext& context, Report& report) {
  const DeviceInfo& device = context.device;
  const ProbeArgs& args = context.args;
  std::vector<GemmSpec> shapes = deepgemm_shapes();
  const std::vector<GemmSpec> attention = attention_shapes();
  shapes.insert(shapes.end(), attention.begin(), attention.end());
  std::vector<int> targets = gemm_sm_targets(device.sms);
  if (args.quick) {
    shapes = {deepgemm_shapes()[0], deepgemm_shapes()[17], deepgemm_shapes()[19], attention.front()};
    targets = {targets.front(), targets.back()};
  }

  report.note(
      "FP8 cases: cuBLASLt with DeepSeek-V3's block scaling where cuBLASLt offers it (FP32 scales per 1x128 "
      "of activations X and per 128x128 of weights W, as DeepGEMM), else per-tensor scales; each case's "
      "method says which. DeepGEMM itself (the published H800 numbers) is a different kernel library: "
      "compare shapes, not libraries");
  report.note(
      "shapes: DeepGEMM's benchmark (18 normal, 4 grouped: m is the rows per group, groups run as back-to-back "
      "GEMMs on one stream, timed together) and 4 BF16 shapes of MLA attention (128 heads, 4096 tokens, "
      "head dims 192 and 128: QK^T 4096x4096x192, PV 4096x128x4096, dQ 4096x192x4096, dP 4096x4096x128), "
      "each one strided-batched GEMM over the heads; real attention is fused (FlashAttention), so these "
      "measure the BF16 tensor rate at attention's shapes, not attention");
  report.note(
      "sms: CUBLASLT_MATMUL_DESC_SM_COUNT_TARGET, a hint to cuBLASLt's heuristic (it sizes the kernel's grid "
      "for that many SMs), not a hard partition: a kernel alone on the GPU may still spread over all SMs. "
      "The interference probe measures GEMMs that really share the GPU");
  report.note(
      "timing: CUDA events; L2 flushed (256 MiB memset) before every timed run, as DeepGEMM's benchmark; the "
      "stream is held by a spinning kernel until the run is enqueued, so host launch time is excluded; runs "
      "shorter than 0.5 ms are batched back to back over operand copies that exceed L2, and the time divided, "
      "so a time includes the GPU's gap between consecutive kernels (up to about a microsecond), which "
      "kernel-duration profilers (DeepGEMM's benchmark) exclude");

  cublasLtHandle_t handle = nullptr;
  CUBLAS_CHECK(cublasLtCreate(&handle));
  CudaStream stream;
  Harness harness(device);
  std::uint32_t seed = 1;
  for (const GemmSpec& spec : shapes) {
    GemmWorkload work(handle, spec, device, stream.get());
    for (const int sms : targets) {
      JsonObject c = gemm_case(spec, sms);
      std::string reason;
      if (!work.plan(sms, stream.get(), &reason)) {
        report.add_case(c.add("skipped", reason));
        progress(context, spec.label() + " on " + std::to_string(sms) + " SMs: skipped: " + reason);
        continue;
      }
      work.refill(++seed, stream.get());
      const auto m = harness.measure_batched(stream.get(), args.warmup, args.repeats,
                                             [&](cudaStream_t s, int i) { work.run(s, i); });
      const Timing t = summarize(m.seconds);
      c.add("method", work.method(m.batch));
      add_timing(c, t);
      report.add_case(c);
      progress(context, spec.label() + " on " + std::to_string(sms) + " SMs: " + summary(spec, t));
    }
  }
  CUBLAS_CHECK(cublasLtDestroy(handle));
}

}  // namespace
}  // namespace v3sim::probes

int main(int argc, char** argv) {
  return v3sim::probes::probe_main(argc, argv, "gemm", "FP8 and BF16 GEMMs through cuBLASLt at several SM targets",
                                   v3sim::probes::run);
}
