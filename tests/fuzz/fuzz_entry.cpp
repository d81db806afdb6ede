#include "tests/fuzz/fuzz_entry.hpp"

#include <string>

#include "cli/commands.hpp"
#include "cli/scenario_loader.hpp"
#include "cli/simulate_scenario.hpp"
#include "models/scale_limits.hpp"
#include "models/study/study.hpp"
#include "sim/json_reader.hpp"
#include "sim/json_text.hpp"

namespace v3sim::fuzz {
namespace {

// Small enough that one input simulates in milliseconds.
models::ScaleLimits fuzz_limits() {
  models::ScaleLimits l;
  l.max_gpus = 1024;
  l.max_items = 1e5;
  return l;
}

const char* kBase = R"({"schedule": {"kind": "1f1b", "stages": 4, "microbatches": 8},
 "op_costs_ms": {"F": 1, "B": 2, "W": 1}})";

}  // namespace

void scenario_bytes(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  models::Scenario s;
  try {
    s = models::parse_scenario(sim::parse_strict_json(text));
    models::check_scale(s, fuzz_limits());
  } catch (const sim::JsonTextError&) {
    return;
  } catch (const sim::InputError&) {
    return;
  }
  try {
    (void)cli::simulate_scenario(s, "fuzz", false, true, text);
  } catch (const cli::InputFailure&) {
  } catch (const cli::SimulationFailure&) {
  }
}

void study_bytes(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  static const nlohmann::json base = nlohmann::json::parse(kBase);
  try {
    const models::Study study = models::parse_study(sim::parse_strict_json(text));
    models::check_axes(study, base);
    const std::size_t n = models::point_count(study);
    for (std::size_t p : {std::size_t{0}, n / 2, n - 1}) {
      const models::StudyPoint point = models::study_point(study, base, p);
      try {
        (void)models::parse_scenario(point.scenario);
      } catch (const sim::InputError&) {
      }
    }
  } catch (const sim::JsonTextError&) {
  } catch (const sim::InputError&) {
  }
}

}  // namespace v3sim::fuzz
