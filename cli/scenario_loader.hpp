#pragma once
// Reads a scenario file, applies --set overrides and validates it. Every
// failure becomes one line: "FILE:LINE: /json/pointer: what was expected".
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/scale_limits.hpp"
#include "models/scenario.hpp"

namespace v3sim::cli {

// Bad input: the CLI prints what() and exits with 2.
class InputFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file's whole text; a directory or an unreadable file is an InputFailure
// naming the file and the reason.
std::string read_file(const std::string& path);

// Reads and parses a JSON file; a missing file or a syntax error becomes an
// InputFailure naming the file (and line). `text` receives the file's text.
nlohmann::json read_json_file(const std::string& path, std::string& text);

// Size limits (models/scale_limits.hpp) hold unless --no-size-limits lifts
// them; the setting is the process's. Loading and simulating both check them.
void enforce_size_limits(bool on);
const models::ScaleLimits& size_limits();

// `sets` holds "/json/pointer=value" strings; the value is parsed as JSON and,
// failing that, taken as a string. A "model" naming a HuggingFace config is
// read relative to the scenario's folder (cli/model_file.hpp).
// `text`, when given, receives the file's text (to name lines of errors found
// later, in simulation).
models::Scenario load_scenario(const std::string& path, const std::vector<std::string>& sets,
                               std::string* text = nullptr);

}  // namespace v3sim::cli
