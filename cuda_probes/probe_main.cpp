#include "probe_main.hpp"

#include <cstdio>
#include <exception>
#include <stdexcept>

#include "check.hpp"

namespace v3sim::probes {

int probe_main(int argc, char** argv, const std::string& probe, const std::string& summary, ProbeBody body) {
  ProbeContext context;
  context.program = "v3sim_probe_" + probe;
  context.args = parse_args(argc, argv, context.program, summary);
  const int gpus = require_gpus(context.program);
  try {
    CUDA_CHECK(cudaSetDevice(0));
    context.device = query_device(0, gpus);
    // The kernels are built for sm_90 (with its PTX, which newer GPUs compile on load); older GPUs lack FP8.
    if (context.device.cc_major < 9)
      throw std::runtime_error("GPU 0 (" + context.device.name + ", compute capability " +
                               std::to_string(context.device.cc_major) + "." + std::to_string(context.device.cc_minor) +
                               ") is older than the 9.0 (Hopper) the probes need");
    Report report(probe, context.args, context.device);
    progress(context, "measuring on GPU 0: " + context.device.name + " (" + std::to_string(context.device.sms) +
                          " SMs, " + std::to_string(gpus) + " GPU(s) visible)");
    body(context, report);
    report.write(context.args.out);
    progress(context, "wrote " + context.args.out + " (" + std::to_string(report.cases()) + " cases)");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", context.program.c_str(), e.what());
    return 1;
  }
  return 0;
}

void progress(const ProbeContext& context, const std::string& line) {
  std::printf("%s: %s\n", context.program.c_str(), line.c_str());
  std::fflush(stdout);
}

}  // namespace v3sim::probes
