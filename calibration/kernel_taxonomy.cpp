// The kernel taxonomy: reading calibration/reference/kernel_classes.json
// (compiled in) and listing its classes.
#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <string_view>

#include "calibration/profiler_trace.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::calibration {
namespace embedded {
extern const std::string_view kKernelClassesJson;
}

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

KernelClassPattern read_class(const nlohmann::json& value, const std::string& pointer) {
  sim::ObjectReader in(value, pointer);
  in.only_keys({"name", "pattern", "what"});
  KernelClassPattern c{in.string("name"), in.string("pattern"), in.string("what")};
  if (c.name.empty() || c.name == "unclassified")
    throw sim::InputError(in.child_pointer("name"), "expected a class name other than \"\" and \"unclassified\"");
  // Compiled here only to reject a bad pattern where it is written, not at
  // the first trace that uses it.
  try {
    std::regex(c.pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw sim::InputError(in.child_pointer("pattern"),
                          "expected an ECMAScript regular expression, got \"" + c.pattern + "\" (" + e.what() + ")");
  }
  return c;
}

std::vector<std::string> read_class_list(sim::ObjectReader& in, const std::string& key,
                                         const std::vector<std::string>& known) {
  const nlohmann::json* v = in.child(key);
  const std::string pointer = in.child_pointer(key);
  if (!v || !v->is_array()) throw sim::InputError(pointer, "expected an array of class names");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    const nlohmann::json& name = (*v)[i];
    const std::string p = pointer + "/" + std::to_string(i);
    if (!name.is_string()) throw sim::InputError(p, "expected a class name, got " + sim::json_type_name(name));
    if (!contains(known, name.get<std::string>()))
      throw sim::InputError(p, "expected a class listed in /classes, got \"" + name.get<std::string>() + "\"");
    out.push_back(name.get<std::string>());
  }
  return out;
}

}  // namespace

std::vector<std::string> KernelTaxonomy::class_names() const {
  std::vector<std::string> out;
  for (const KernelClassPattern& p : patterns)
    if (!contains(out, p.name)) out.push_back(p.name);
  return out;
}

KernelTaxonomy parse_taxonomy(const std::string& json_text) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    throw sim::InputError("", "expected a kernel taxonomy in JSON: invalid JSON at byte " + std::to_string(e.byte));
  }
  sim::ObjectReader in(doc, "");
  in.only_keys({"source", "components", "comm_classes", "gemm_classes", "classes"});
  KernelTaxonomy t;
  t.source = in.string("source");
  const nlohmann::json* classes = in.child("classes");
  if (!classes || !classes->is_array() || classes->empty())
    throw sim::InputError("/classes", "expected a non-empty array of {name, pattern, what}");
  for (std::size_t i = 0; i < classes->size(); ++i)
    t.patterns.push_back(read_class((*classes)[i], "/classes/" + std::to_string(i)));
  const nlohmann::json* components = in.child("components");
  if (!components || !components->is_object())
    throw sim::InputError("/components", "expected an object mapping annotation labels to components");
  for (auto it = components->begin(); it != components->end(); ++it) {
    if (!it->is_string() || it->get<std::string>().empty())
      throw sim::InputError("/components/" + sim::pointer_token(it.key()), "expected a component name");
    t.components[it.key()] = it->get<std::string>();
  }
  const std::vector<std::string> names = t.class_names();
  t.comm_classes = read_class_list(in, "comm_classes", names);
  t.gemm_classes = read_class_list(in, "gemm_classes", names);
  return t;
}

const KernelTaxonomy& default_taxonomy() {
  static const KernelTaxonomy t = parse_taxonomy(std::string(embedded::kKernelClassesJson));
  return t;
}

std::string describe_kernel_classes(const KernelTaxonomy& taxonomy) {
  std::string out;
  for (const KernelClassPattern& p : taxonomy.patterns) {
    const char* role = contains(taxonomy.comm_classes, p.name)   ? "comm"
                       : contains(taxonomy.gemm_classes, p.name) ? "gemm"
                                                                 : "";
    out += fmt::format("{:<18} {:<4}  {}  /{}/\n", p.name, role, p.what, p.pattern);
  }
  return out;
}

}  // namespace v3sim::calibration
