#include "args.hpp"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace v3sim::probes {
namespace {

void usage(std::FILE* to, const std::string& program, const std::string& summary) {
  std::fprintf(to,
               "%s: %s\n"
               "usage: %s --out FILE [--repeats N] [--warmup N] [--quick]\n"
               "  --out FILE    write the measurements (JSON, format v3sim-probes/1) to FILE\n"
               "  --repeats N   timed runs per case (default 20; 3 with --quick)\n"
               "  --warmup N    untimed runs before them (default 3; 1 with --quick)\n"
               "  --quick       a short smoke run: few cases, few runs\n"
               "exit codes: 0 done, 1 CUDA or cuBLASLt error, 2 bad usage, 3 no GPU\n",
               program.c_str(), summary.c_str(), program.c_str());
}

[[noreturn]] void bad_usage(const std::string& program, const std::string& summary, const std::string& why) {
  std::fprintf(stderr, "%s: %s\n", program.c_str(), why.c_str());
  usage(stderr, program, summary);
  std::exit(2);
}

std::optional<int> to_count(std::string_view text) {
  if (text.empty() || text.size() > 6) return std::nullopt;
  int value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

ProbeArgs parse_args(int argc, char** argv, const std::string& program, const std::string& summary) {
  ProbeArgs args;
  std::optional<int> repeats;
  std::optional<int> warmup;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::optional<std::string_view> inline_value;
    if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string_view::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    auto value = [&]() -> std::string_view {
      if (inline_value) return *inline_value;
      if (i + 1 >= argc) bad_usage(program, summary, "missing value after " + std::string(arg));
      return argv[++i];
    };
    auto count = [&](int minimum) {
      const std::string_view text = value();
      const std::optional<int> n = to_count(text);
      if (!n || *n < minimum)
        bad_usage(program, summary,
                  std::string(arg) + " expects an integer >= " + std::to_string(minimum) + ", got '" +
                      std::string(text) + "'");
      return *n;
    };
    if (arg == "--help" || arg == "-h") {
      usage(stdout, program, summary);
      std::exit(0);
    } else if (arg == "--out") {
      args.out = std::string(value());
    } else if (arg == "--repeats") {
      repeats = count(1);
    } else if (arg == "--warmup") {
      warmup = count(0);
    } else if (arg == "--quick" && !inline_value) {
      args.quick = true;
    } else {
      bad_usage(program, summary, "unknown option '" + std::string(argv[i]) + "'");
    }
  }
  if (args.out.empty()) bad_usage(program, summary, "--out FILE is required");
  args.repeats = repeats.value_or(args.quick ? 3 : 20);
  args.warmup = warmup.value_or(args.quick ? 1 : 3);
  return args;
}

}  // namespace v3sim::probes
