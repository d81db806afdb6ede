#pragma once
// The command line every probe shares:
//   --out FILE     where to write the JSON (required)
//   --repeats N    timed runs per case (default 20; 3 with --quick)
//   --warmup N     untimed runs first (default 3; 1 with --quick)
//   --quick        a short smoke run: few cases, few runs
//   --help
#include <string>

namespace v3sim::probes {

struct ProbeArgs {
  std::string out;
  int repeats = 20;
  int warmup = 3;
  bool quick = false;
};

// Parses argv. Prints usage and exits 0 for --help, or 2 (the project's code
// for bad usage) for an unknown option, a missing value or a bad number.
ProbeArgs parse_args(int argc, char** argv, const std::string& program, const std::string& summary);

}  // namespace v3sim::probes
