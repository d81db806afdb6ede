#include "sim/json_reader.hpp"

#include <algorithm>
#include <cmath>

namespace v3sim::sim {
namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string format_number(double v) {
  nlohmann::json j = v;
  return j.dump();
}

std::string list(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) out += (i ? ", " : "") + words[i];
  return out;
}

}  // namespace

std::optional<std::string> nearest(const std::string& word, const std::vector<std::string>& known) {
  std::optional<std::string> best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& k : known) {
    const std::size_t d = edit_distance(word, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best;
}

std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string json_type_name(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    default: return "a number";
  }
}

ObjectReader::ObjectReader(const nlohmann::json& value, std::string pointer)
    : value_(value), pointer_(std::move(pointer)) {
  if (!value_.is_object())
    throw InputError(pointer_.empty() ? "/" : pointer_, "expected an object, got " + json_type_name(value_));
}

bool ObjectReader::has(const std::string& key) {
  known_.push_back(key);
  return value_.contains(key);
}

const nlohmann::json* ObjectReader::child(const std::string& key) {
  known_.push_back(key);
  auto it = value_.find(key);
  return it == value_.end() ? nullptr : &*it;
}

const nlohmann::json& ObjectReader::require(const std::string& key) {
  const nlohmann::json* v = child(key);
  if (!v) throw InputError(child_pointer(key), "missing required field '" + key + "'");
  return *v;
}

double ObjectReader::number(const std::string& key, double min, double max) {
  const nlohmann::json& v = require(key);
  if (!v.is_number()) throw InputError(child_pointer(key), "expected a number, got " + json_type_name(v));
  const double x = v.get<double>();
  if (!std::isfinite(x) || x < min || x > max)
    throw InputError(child_pointer(key), "expected a number in [" + format_number(min) + ", " + format_number(max) +
                                             "], got " + v.dump());
  return x;
}

std::optional<double> ObjectReader::optional_number(const std::string& key, double min, double max) {
  if (!has(key)) return std::nullopt;
  return number(key, min, max);
}

long long ObjectReader::integer(const std::string& key, long long min, long long max) {
  const nlohmann::json& v = require(key);
  if (!v.is_number_integer())
    throw InputError(child_pointer(key), "expected an integer, got " + (v.is_number() ? v.dump() : json_type_name(v)));
  const long long x = v.get<long long>();
  if (x < min || x > max)
    throw InputError(child_pointer(key), "expected an integer in [" + std::to_string(min) + ", " +
                                             std::to_string(max) + "], got " + v.dump());
  return x;
}

std::optional<long long> ObjectReader::optional_integer(const std::string& key, long long min, long long max) {
  if (!has(key)) return std::nullopt;
  return integer(key, min, max);
}

std::string ObjectReader::string(const std::string& key) {
  const nlohmann::json& v = require(key);
  if (!v.is_string()) throw InputError(child_pointer(key), "expected a string, got " + json_type_name(v));
  return v.get<std::string>();
}

std::optional<std::string> ObjectReader::optional_string(const std::string& key) {
  if (!has(key)) return std::nullopt;
  return string(key);
}

std::optional<bool> ObjectReader::optional_boolean(const std::string& key) {
  const nlohmann::json* v = child(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) throw InputError(child_pointer(key), "expected true or false");
  return v->get<bool>();
}

std::string ObjectReader::one_of(const std::string& key, const std::vector<std::string>& allowed) {
  const std::string s = string(key);
  if (std::find(allowed.begin(), allowed.end(), s) != allowed.end()) return s;
  std::string msg = "expected one of " + list(allowed) + ", got \"" + s + "\"";
  if (auto near = nearest(s, allowed)) msg += " (did you mean \"" + *near + "\"?)";
  throw InputError(child_pointer(key), msg);
}

std::optional<std::string> ObjectReader::optional_one_of(const std::string& key,
                                                         const std::vector<std::string>& allowed) {
  if (!has(key)) return std::nullopt;
  return one_of(key, allowed);
}

ObjectReader ObjectReader::object(const std::string& key) { return ObjectReader(require(key), child_pointer(key)); }

void ObjectReader::only_keys(const std::vector<std::string>& valid) {
  known_.insert(known_.end(), valid.begin(), valid.end());
  finish();
}

void ObjectReader::finish() const {
  std::vector<std::string> known;
  for (const auto& k : known_)
    if (std::find(known.begin(), known.end(), k) == known.end()) known.push_back(k);
  for (auto it = value_.begin(); it != value_.end(); ++it) {
    if (std::find(known.begin(), known.end(), it.key()) != known.end()) continue;
    std::string msg = "unknown key '" + it.key() + "'";
    if (auto near = nearest(it.key(), known))
      msg += " (did you mean '" + *near + "'?)";
    else
      msg += " (valid keys: " + list(known) + ")";
    throw UnknownKeyError(child_pointer(it.key()), msg);
  }
}

}  // namespace v3sim::sim
