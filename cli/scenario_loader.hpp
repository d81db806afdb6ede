#pragma once
// Reads a scenario file, applies --set overrides and validates it. Every
// failure becomes one line: "FILE:LINE: /json/pointer: what was expected".
#include <stdexcept>
#include <string>
#include <vector>

#include "models/scenario.hpp"

namespace v3sim::cli {

// Bad input: the CLI prints what() and exits with 2.
class InputFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `sets` holds "/json/pointer=value" strings; the value is parsed as JSON and,
// failing that, taken as a string.
models::Scenario load_scenario(const std::string& path, const std::vector<std::string>& sets);

}  // namespace v3sim::cli
