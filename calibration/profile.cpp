#include "calibration/profile.hpp"

#include <fstream>
#include <sstream>
#include <string_view>

#include "sim/json_reader.hpp"

namespace v3sim::calibration {
namespace embedded {
extern const std::string_view kH800PublishedJson;
extern const std::string_view kB200PublishedJson;
extern const std::string_view kH100PublishedJson;
extern const std::string_view kH200PublishedJson;
extern const std::string_view kGb200PublishedJson;
}

namespace {

// Every built-in profile, as compiled in by calibration/CMakeLists.txt.
const std::string_view kBuiltIn[] = {embedded::kH800PublishedJson, embedded::kB200PublishedJson,
                                     embedded::kH100PublishedJson, embedded::kH200PublishedJson,
                                     embedded::kGb200PublishedJson};

// One parameter: its value (checked against [min, max]) and its provenance,
// recorded under `name`.
double read_parameter(sim::ObjectReader& parent, const std::string& key, const std::string& name, double min,
                      double max, Profile& p) {
  sim::ObjectReader in = parent.object(key);
  in.only_keys({"value", "source", "note"});
  const double v = in.number("value", min, max);
  p.provenance[name] = {in.string("source"), in.optional_string("note").value_or("")};
  return v;
}

const std::map<std::string, Profile>& catalogue() {
  static const std::map<std::string, Profile> all = [] {
    std::map<std::string, Profile> m;
    for (std::string_view text : kBuiltIn) {
      Profile p = parse_profile(nlohmann::json::parse(text));
      m.emplace(p.name, std::move(p));
    }
    return m;
  }();
  return all;
}

}  // namespace

Profile parse_profile(const nlohmann::json& doc, const std::string& pointer) {
  sim::ObjectReader in(doc, pointer);
  in.only_keys({"name", "description", "hardware", "gemm", "attention_forward_efficiency",
                "attention_backward_efficiency", "memory_efficiency", "memory_gb_per_s_per_sm", "comm_gb_per_s_per_sm",
                "overlap_compute_slowdown", "main_beside_second_slowdown", "second_beside_main_slowdown",
                "host_forward_us_per_launch", "host_backward_us_per_launch", "kernel_classes", "framework_launches"});
  Profile p;
  p.name = in.string("name");
  p.description = in.string("description");
  p.hardware = in.string("hardware");
  sim::ObjectReader gemm = in.object("gemm");
  gemm.only_keys({"compute_efficiency", "hbm_efficiency", "fixed_us", "k_block_ns"});
  // Efficiencies are shares of a peak; above 1 would mean beating the datasheet.
  p.gemm.compute_efficiency = read_parameter(gemm, "compute_efficiency", "gemm.compute_efficiency", 1e-3, 1, p);
  p.gemm.hbm_efficiency = read_parameter(gemm, "hbm_efficiency", "gemm.hbm_efficiency", 1e-3, 1, p);
  p.gemm.fixed_us = read_parameter(gemm, "fixed_us", "gemm.fixed_us", 0, 1e4, p);
  p.gemm.k_block_ns = read_parameter(gemm, "k_block_ns", "gemm.k_block_ns", 0, 1e6, p);
  p.attention_forward_efficiency =
      read_parameter(in, "attention_forward_efficiency", "attention_forward_efficiency", 1e-3, 1, p);
  p.attention_backward_efficiency =
      read_parameter(in, "attention_backward_efficiency", "attention_backward_efficiency", 1e-3, 1, p);
  p.memory_efficiency = read_parameter(in, "memory_efficiency", "memory_efficiency", 1e-3, 1, p);
  if (in.has("memory_gb_per_s_per_sm"))
    p.memory_gb_per_s_per_sm = read_parameter(in, "memory_gb_per_s_per_sm", "memory_gb_per_s_per_sm", 1e-3, 1e5, p);
  if (in.has("comm_gb_per_s_per_sm"))
    p.comm_gb_per_s_per_sm = read_parameter(in, "comm_gb_per_s_per_sm", "comm_gb_per_s_per_sm", 1e-3, 1e5, p);
  if (in.has("overlap_compute_slowdown"))
    p.overlap_compute_slowdown = read_parameter(in, "overlap_compute_slowdown", "overlap_compute_slowdown", 1, 10, p);
  if (in.has("main_beside_second_slowdown"))
    p.main_beside_second_slowdown =
        read_parameter(in, "main_beside_second_slowdown", "main_beside_second_slowdown", 1, 10, p);
  if (in.has("second_beside_main_slowdown"))
    p.second_beside_main_slowdown =
        read_parameter(in, "second_beside_main_slowdown", "second_beside_main_slowdown", 1, 10, p);
  for (auto [key, field] : {std::pair{"host_forward_us_per_launch", &p.host_forward_us_per_launch},
                            std::pair{"host_backward_us_per_launch", &p.host_backward_us_per_launch}})
    if (in.has(key)) *field = read_parameter(in, key, key, 0, 1e5, p);
  if (const nlohmann::json* classes = in.child("kernel_classes")) {
    if (!classes->is_object())
      throw sim::InputError(in.child_pointer("kernel_classes"), "expected an object of kernel classes");
    for (const auto& [cls, value] : classes->items()) {
      sim::ObjectReader c(value, in.child_pointer("kernel_classes") + "/" + sim::pointer_token(cls));
      c.only_keys({"gb_per_s", "at_sms", "launch_us", "time_scale", "tflops", "source", "note"});
      KernelClassParams k;
      k.gb_per_s = c.optional_number("gb_per_s", 1e-3, 1e6).value_or(0);
      k.at_sms = static_cast<int>(c.optional_integer("at_sms", 1, 100000).value_or(0));
      k.launch_us = c.optional_number("launch_us", 0, 1e6).value_or(0);
      k.time_scale = c.optional_number("time_scale", 1e-3, 1e3).value_or(1);
      k.tflops = c.optional_number("tflops", 1e-3, 1e6).value_or(0);
      k.provenance = {c.string("source"), c.optional_string("note").value_or("")};
      p.kernel_classes[cls] = k;
    }
  }
  if (in.has("framework_launches")) {
    sim::ObjectReader f = in.object("framework_launches");
    const nlohmann::json* counts = f.child("counts");
    if (counts == nullptr || !counts->is_object())
      throw sim::InputError(f.child_pointer("counts"), "expected an object of launch counts per component");
    for (const auto& [key, value] : counts->items()) {
      if (!value.is_number_integer() || value.get<long long>() < 0 || value.get<long long>() > 100000)
        throw sim::InputError(f.child_pointer("counts") + "/" + sim::pointer_token(key),
                              "expected a launch count in [0, 100000]");
      p.framework_launches[key] = value.get<int>();
    }
    p.framework_launches_provenance = {f.string("source"), f.optional_string("note").value_or("")};
    f.finish();
  }
  return p;
}

const KernelClassParams& Profile::kernel_class(const std::string& cls) const {
  static const KernelClassParams defaults;
  const auto it = kernel_classes.find(cls);
  return it == kernel_classes.end() ? defaults : it->second;
}

nlohmann::json profile_to_json(const Profile& p) {
  auto param = [&](const std::string& name, double value) {
    nlohmann::json j = {{"value", value}, {"source", ""}};
    if (auto it = p.provenance.find(name); it != p.provenance.end()) {
      j["source"] = it->second.source;
      if (!it->second.note.empty()) j["note"] = it->second.note;
    }
    return j;
  };
  nlohmann::json j;
  j["name"] = p.name;
  j["description"] = p.description;
  j["hardware"] = p.hardware;
  j["gemm"] = {{"compute_efficiency", param("gemm.compute_efficiency", p.gemm.compute_efficiency)},
               {"hbm_efficiency", param("gemm.hbm_efficiency", p.gemm.hbm_efficiency)},
               {"fixed_us", param("gemm.fixed_us", p.gemm.fixed_us)},
               {"k_block_ns", param("gemm.k_block_ns", p.gemm.k_block_ns)}};
  j["attention_forward_efficiency"] = param("attention_forward_efficiency", p.attention_forward_efficiency);
  j["attention_backward_efficiency"] = param("attention_backward_efficiency", p.attention_backward_efficiency);
  j["memory_efficiency"] = param("memory_efficiency", p.memory_efficiency);
  if (p.memory_gb_per_s_per_sm > 0) j["memory_gb_per_s_per_sm"] = param("memory_gb_per_s_per_sm", p.memory_gb_per_s_per_sm);
  if (p.comm_gb_per_s_per_sm > 0) j["comm_gb_per_s_per_sm"] = param("comm_gb_per_s_per_sm", p.comm_gb_per_s_per_sm);
  if (p.provenance.count("overlap_compute_slowdown"))
    j["overlap_compute_slowdown"] = param("overlap_compute_slowdown", p.overlap_compute_slowdown);
  if (p.provenance.count("main_beside_second_slowdown"))
    j["main_beside_second_slowdown"] = param("main_beside_second_slowdown", p.main_beside_second_slowdown);
  if (p.provenance.count("second_beside_main_slowdown"))
    j["second_beside_main_slowdown"] = param("second_beside_main_slowdown", p.second_beside_main_slowdown);
  if (p.provenance.count("host_forward_us_per_launch"))
    j["host_forward_us_per_launch"] = param("host_forward_us_per_launch", p.host_forward_us_per_launch);
  if (p.provenance.count("host_backward_us_per_launch"))
    j["host_backward_us_per_launch"] = param("host_backward_us_per_launch", p.host_backward_us_per_launch);
  if (!p.kernel_classes.empty()) {
    nlohmann::json classes = nlohmann::json::object();
    for (const auto& [cls, k] : p.kernel_classes) {
      nlohmann::json c = nlohmann::json::object();
      if (k.gb_per_s > 0) c["gb_per_s"] = k.gb_per_s;
      if (k.at_sms > 0) c["at_sms"] = k.at_sms;
      if (k.launch_us > 0) c["launch_us"] = k.launch_us;
      if (k.time_scale != 1) c["time_scale"] = k.time_scale;
      if (k.tflops > 0) c["tflops"] = k.tflops;
      c["source"] = k.provenance.source;
      if (!k.provenance.note.empty()) c["note"] = k.provenance.note;
      classes[cls] = c;
    }
    j["kernel_classes"] = classes;
  }
  if (!p.framework_launches.empty()) {
    j["framework_launches"] = {{"counts", p.framework_launches}, {"source", p.framework_launches_provenance.source}};
    if (!p.framework_launches_provenance.note.empty())
      j["framework_launches"]["note"] = p.framework_launches_provenance.note;
  }
  return j;
}

Profile load_profile(const std::string& name, const std::string& pointer) {
  if (name.size() < 5 || name.compare(name.size() - 5, 5, ".json") != 0) return named_profile(name, pointer);
  std::ifstream in(name);
  if (!in) throw sim::InputError(pointer, "cannot read calibration profile file " + name);
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (doc.is_discarded()) throw sim::InputError(pointer, "calibration profile " + name + " is not valid JSON");
  try {
    return parse_profile(doc);
  } catch (const sim::InputError& e) {
    throw sim::InputError(pointer, name + ": " + e.pointer() + ": " + e.what());
  }
}

const std::vector<std::string>& profile_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& [name, profile] : catalogue()) n.push_back(name);
    return n;
  }();
  return names;
}

const Profile& named_profile(const std::string& name, const std::string& pointer) {
  const auto it = catalogue().find(name);
  if (it != catalogue().end()) return it->second;
  std::string msg = "unknown calibration profile \"" + name + "\"";
  if (auto near = sim::nearest(name, profile_names()))
    msg += " (did you mean \"" + *near + "\"?)";
  else {
    msg += " (known profiles:";
    for (const std::string& n : profile_names()) msg += " " + n;
    msg += ")";
  }
  throw sim::InputError(pointer, msg);
}

}  // namespace v3sim::calibration
