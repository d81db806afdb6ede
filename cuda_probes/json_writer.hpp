#pragma once
// A tiny JSON writer for the probes' output: the probes depend on the CUDA
// Toolkit and the standard library only. Objects keep their keys in insertion
// order, so every file reads in the same order and diffs well.
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace v3sim::probes {

// `text` as a JSON string literal, quoted and escaped.
std::string json_quote(std::string_view text);

// The shortest text that reads back as `value`; JSON has no NaN or infinity,
// so those become null (the calibration reader then rejects the case loudly).
std::string json_number(double value);

// A JSON array of already rendered values, one per line, the closing bracket
// at `indent` spaces (so it nests in an object written by JsonObject::block_text).
std::string json_lines_array(const std::vector<std::string>& rendered, int indent);

class JsonObject {
 public:
  JsonObject& add(std::string_view key, std::string_view value) { return add_raw(key, json_quote(value)); }
  JsonObject& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  JsonObject& add(std::string_view key, const std::string& value) { return add(key, std::string_view(value)); }
  JsonObject& add(std::string_view key, double value) { return add_raw(key, json_number(value)); }
  JsonObject& add(std::string_view key, bool value) { return add_raw(key, value ? "true" : "false"); }
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  JsonObject& add(std::string_view key, T value) {
    return add_raw(key, std::to_string(value));
  }
  JsonObject& add(std::string_view key, const JsonObject& value) { return add_raw(key, value.inline_text()); }
  // A value the caller has rendered already (an array, for instance).
  JsonObject& add_raw(std::string_view key, std::string json);

  // {"a": 1, "b": "x"} on one line.
  std::string inline_text() const;
  // One key per line, indented by `indent` + 2 spaces; the braces at `indent`.
  std::string block_text(int indent) const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace v3sim::probes
