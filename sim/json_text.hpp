#pragma once
// Strict parsing of JSON text, beyond what the JSON grammar demands: numbers
// must fit a double, an object may not hold a key twice (RFC 8259 leaves the
// meaning open; we refuse rather than silently keep the last), and nesting is
// bounded so that nothing downstream recurses without limit. Every failure
// names a line; line breaks are LF, CRLF or a lone CR.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace v3sim::sim {

inline constexpr int kMaxJsonDepth = 64;

class JsonTextError : public std::runtime_error {
 public:
  JsonTextError(int line, const std::string& message) : std::runtime_error(message), line_(line) {}
  int line() const { return line_; }

 private:
  int line_;
};

nlohmann::json parse_strict_json(const std::string& text);

// The string literal at text[pos] (its opening quote), escapes kept as
// written; pos moves past the closing quote. For scanners of valid JSON.
std::string raw_json_string(const std::string& text, std::size_t& pos);

// 1-based line of a byte offset.
int line_of_offset(const std::string& text, std::size_t offset);

}  // namespace v3sim::sim
