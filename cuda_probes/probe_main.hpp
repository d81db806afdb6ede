#pragma once
// The life of every probe program: parse the command line, require a GPU
// (exit 3 without one), describe the device, run the probe's cases, write the
// file. Each probe_*.cpp supplies only its body.
#include <string>

#include "args.hpp"
#include "device_info.hpp"
#include "report.hpp"

namespace v3sim::probes {

struct ProbeContext {
  std::string program;  // "v3sim_probe_gemm"
  ProbeArgs args;
  DeviceInfo device;  // GPU 0, where every probe runs
};

using ProbeBody = void (*)(const ProbeContext& context, Report& report);

int probe_main(int argc, char** argv, const std::string& probe, const std::string& summary, ProbeBody body);

// A progress line on stdout (the file is the result; this shows it is alive).
void progress(const ProbeContext& context, const std::string& line);

}  // namespace v3sim::probes
