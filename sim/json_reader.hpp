#pragma once
// Strict reading of JSON input: every field is checked for type and range,
// and keys nobody asked for are errors (with the nearest known key suggested).
// Errors carry the JSON pointer of the offending value; the CLI adds the file
// name and line.
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace v3sim::sim {

class InputError : public std::runtime_error {
 public:
  InputError(std::string pointer, const std::string& message)
      : std::runtime_error(message), pointer_(std::move(pointer)) {}
  const std::string& pointer() const { return pointer_; }

 private:
  std::string pointer_;
};

// A key the schema does not know (so a study axis or --set pointing there
// names no field).
class UnknownKeyError : public InputError {
 public:
  using InputError::InputError;
};

// The known word closest to `word` by edit distance, if it is close enough to
// be a plausible misspelling.
std::optional<std::string> nearest(const std::string& word, const std::vector<std::string>& known);

// JSON pointer escaping of one reference token (RFC 6901).
std::string pointer_token(const std::string& key);

class ObjectReader {
 public:
  ObjectReader(const nlohmann::json& value, std::string pointer);

  bool has(const std::string& key);
  const nlohmann::json* child(const std::string& key);  // nullptr when absent
  std::string child_pointer(const std::string& key) const { return pointer_ + "/" + pointer_token(key); }

  double number(const std::string& key, double min, double max);
  std::optional<double> optional_number(const std::string& key, double min, double max);
  long long integer(const std::string& key, long long min, long long max);
  std::optional<long long> optional_integer(const std::string& key, long long min, long long max);
  std::string string(const std::string& key);
  std::optional<std::string> optional_string(const std::string& key);
  std::optional<bool> optional_boolean(const std::string& key);
  std::string one_of(const std::string& key, const std::vector<std::string>& allowed);
  std::optional<std::string> optional_one_of(const std::string& key, const std::vector<std::string>& allowed);
  ObjectReader object(const std::string& key);

  // Fails on the first key that was never asked for.
  void finish() const;
  // Declares the object's valid keys and fails at once on any other, so a
  // misspelt key is reported as such rather than as a missing field.
  void only_keys(const std::vector<std::string>& valid);

  const std::string& pointer() const { return pointer_; }

 private:
  const nlohmann::json& require(const std::string& key);

  const nlohmann::json& value_;
  std::string pointer_;
  std::vector<std::string> known_;
};

// Type names as users read them in error messages.
std::string json_type_name(const nlohmann::json& v);

}  // namespace v3sim::sim
