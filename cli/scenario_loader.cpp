#include "cli/scenario_loader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/json_locator.hpp"
#include "cli/model_file.hpp"
#include "sim/json_reader.hpp"
#include "sim/json_text.hpp"

namespace v3sim::cli {

namespace {
constexpr std::uintmax_t kMaxInputBytes = 256u << 20;
}  // namespace

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputFailure(path + ": is a directory, expected a JSON file");
  // A device or FIFO (/dev/zero) would be read without end.
  const auto status = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    throw InputFailure(path + ": not a regular file (a device, FIFO or socket), expected a JSON file");
  if (!ec && std::filesystem::exists(status) && std::filesystem::file_size(path, ec) > kMaxInputBytes && !ec)
    throw InputFailure(path + ": larger than " + std::to_string(kMaxInputBytes >> 20) + " MiB, the limit of an input file");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputFailure(path + ": cannot read the file: " + std::strerror(errno ? errno : ENOENT));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputFailure(path + ": cannot read the file: " + std::strerror(errno ? errno : EIO));
  return ss.str();
}

namespace {

struct Override {
  std::string pointer;
  nlohmann::json value;
};

Override parse_override(const std::string& arg) {
  // Output files are UTF-8 whatever the input (the error does not echo the bytes).
  try {
    (void)nlohmann::json(arg).dump();
  } catch (const nlohmann::json::exception&) {
    throw InputFailure("--set: the argument is not valid UTF-8");
  }
  const std::size_t eq = arg.find('=');
  if (eq == std::string::npos || arg.empty() || arg[0] != '/')
    throw InputFailure("--set " + arg + ": expected /json/pointer=value");
  Override o{arg.substr(0, eq), nullptr};
  const std::string text = arg.substr(eq + 1);
  o.value = nlohmann::json::parse(text, nullptr, false);
  if (o.value.is_discarded()) o.value = text;
  return o;
}

// Objects on the way to the field that the file leaves to its defaults are
// created (`--set /overlap/comm_sms=24` on a scenario without "overlap"); a
// value on the way that is not an object or array is an error. A misspelt
// key still fails: the scenario parser refuses keys it does not know.
void apply(nlohmann::json& doc, const Override& o) {
  nlohmann::json::json_pointer ptr;
  try {
    ptr = nlohmann::json::json_pointer(o.pointer);
  } catch (const nlohmann::json::exception&) {
    throw InputFailure("--set " + o.pointer + ": not a valid JSON pointer");
  }
  std::vector<nlohmann::json::json_pointer> ancestors;
  for (auto p = ptr.parent_pointer(); !p.empty(); p = p.parent_pointer()) ancestors.push_back(p);
  for (auto a = ancestors.rbegin(); a != ancestors.rend(); ++a) {
    if (!doc.contains(*a)) {
      if (!doc[a->parent_pointer()].is_object()) break;  // an array index past the end: reported below
      doc[*a] = nlohmann::json::object();
    }
  }
  const auto parent = ptr.parent_pointer();
  if (!doc.contains(parent) || !(doc[parent].is_object() || doc[parent].is_array()))
    throw InputFailure("--set " + o.pointer + ": " + (parent.empty() ? std::string("/") : parent.to_string()) +
                       " is not an object in the scenario");
  try {
    if (doc[parent].is_array()) {
      doc.at(ptr) = o.value;  // an existing element only
    } else {
      doc[ptr] = o.value;
    }
  } catch (const nlohmann::json::exception&) {
    throw InputFailure("--set " + o.pointer + ": no such element of the array " + parent.to_string());
  }
}

bool starts_with_pointer(const std::string& p, const std::string& prefix) {
  return p == prefix || (p.size() > prefix.size() && p.compare(0, prefix.size(), prefix) == 0 && p[prefix.size()] == '/');
}

models::ScaleLimits& limits() {
  static models::ScaleLimits l;
  return l;
}

}  // namespace

void enforce_size_limits(bool on) { limits().enforced = on; }
const models::ScaleLimits& size_limits() { return limits(); }

nlohmann::json read_json_file(const std::string& path, std::string& text) {
  text = read_file(path);
  try {
    return sim::parse_strict_json(text);
  } catch (const sim::JsonTextError& e) {
    throw InputFailure(path + ":" + std::to_string(e.line()) + ": " + e.what());
  }
}

models::Scenario load_scenario(const std::string& path, const std::vector<std::string>& sets, std::string* text_out) {
  std::string text;
  nlohmann::json doc = read_json_file(path, text);
  if (text_out) *text_out = text;
  std::vector<Override> overrides;
  try {
    for (const std::string& s : sets) overrides.push_back(parse_override(s));
    for (const Override& o : overrides) apply(doc, o);
  } catch (const InputFailure& e) {
    throw InputFailure(path + ": " + e.what());
  }
  try {
    models::Scenario s = models::parse_scenario(doc, model_file_reader(path));
    models::check_scale(s, limits());
    // Titles follow the run: a name written for the file says what --set changed.
    std::string changed;
    for (const Override& o : overrides)
      if (o.pointer != "/name" && o.pointer != "/description")
        changed += (changed.empty() ? "" : ", ") + o.pointer + "=" + (o.value.is_string() ? o.value.get<std::string>() : o.value.dump());
    if (!changed.empty() && !s.name.empty()) s.name += " (--set " + changed + ")";
    return s;
  } catch (const sim::InputError& e) {
    for (const Override& o : overrides)
      if (starts_with_pointer(e.pointer(), o.pointer))
        throw InputFailure(path + ": " + e.pointer() + " (from --set " + o.pointer + "): " + e.what());
    throw InputFailure(path + ":" + std::to_string(line_of_pointer(text, e.pointer())) + ": " + e.pointer() + ": " +
                       e.what());
  }
}

}  // namespace v3sim::cli
