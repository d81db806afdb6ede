#include "calibration/trace_figures.hpp"

#include <string_view>

#include "sim/json_reader.hpp"

namespace v3sim::calibration {
namespace embedded {
extern const std::string_view kDeepSeekChunkPairTraceJson;
}

namespace {

nlohmann::json reading_to_json(const SlowdownReading& r) {
  return {{"ratio", r.ratio}, {"kernels", r.kernels}, {"instances", r.instances}};
}

SlowdownReading reading_from_json(sim::ObjectReader& parent, const std::string& key) {
  sim::ObjectReader r = parent.object(key);
  SlowdownReading out;
  out.ratio = r.number("ratio", 0.01, 100);
  out.kernels = static_cast<int>(r.integer("kernels", 0, 1 << 30));
  out.instances = static_cast<int>(r.integer("instances", 0, 1 << 30));
  r.finish();
  return out;
}

}  // namespace

nlohmann::json trace_figures_to_json(const TraceFigures& f) {
  const TraceSummary& s = f.summary;
  return {{"kind", kTraceFiguresKind},
          {"source", f.source},
          {"setting", f.setting},
          {"layer_pairs", s.layer_pairs},
          {"span_ms", s.span_ms},
          {"compute_busy_ms", s.compute_busy_ms},
          {"comm_busy_ms", s.comm_busy_ms},
          {"unattributed_ms", s.unattributed_ms},
          {"tiny_kernel_us", s.tiny_kernel_us},
          {"components_ms", s.components},
          {"kernel_classes_ms", s.kernel_classes},
          {"class_launches", s.class_launches},
          {"class_examples", s.class_examples},
          {"elementwise_launches", s.elementwise_launches},
          {"host_us_per_launch", {{"forward", s.host_forward_us_per_launch}, {"backward", s.host_backward_us_per_launch}}},
          {"contention",
           {{"beside_comm", reading_to_json(s.contention.beside_comm)},
            {"main_beside_second", reading_to_json(s.contention.main_beside_second)},
            {"second_beside_main", reading_to_json(s.contention.second_beside_main)}}}};
}

namespace {

constexpr double kMaxMs = 1e9;

template <typename T, typename Read>
std::map<std::string, T> read_map(sim::ObjectReader& r, const std::string& key, Read read) {
  std::map<std::string, T> out;
  const nlohmann::json* j = r.child(key);
  if (j == nullptr) throw sim::InputError(r.child_pointer(key), "missing required field '" + key + "'");
  if (!j->is_object()) throw sim::InputError(r.child_pointer(key), "expected an object");
  sim::ObjectReader m(*j, r.child_pointer(key));
  for (const auto& [k, v] : j->items()) out.emplace(k, read(m, k));
  return out;
}

}  // namespace

TraceFigures trace_figures_from_json(const nlohmann::json& j) {
  sim::ObjectReader r(j, "");
  TraceFigures f;
  if (r.string("kind") != kTraceFiguresKind)
    throw sim::InputError("/kind", std::string("expected \"") + kTraceFiguresKind + "\"");
  f.source = r.string("source");
  f.setting = r.string("setting");
  TraceSummary& s = f.summary;
  s.layer_pairs = static_cast<int>(r.integer("layer_pairs", 1, 1 << 20));
  s.span_ms = r.number("span_ms", 0, kMaxMs);
  s.compute_busy_ms = r.number("compute_busy_ms", 0, kMaxMs);
  s.comm_busy_ms = r.number("comm_busy_ms", 0, kMaxMs);
  s.unattributed_ms = r.number("unattributed_ms", 0, kMaxMs);
  s.tiny_kernel_us = r.number("tiny_kernel_us", 0, kMaxMs);
  s.components = read_map<double>(r, "components_ms", [](sim::ObjectReader& m, const std::string& k) {
    return m.number(k, 0, kMaxMs);
  });
  s.kernel_classes = read_map<double>(r, "kernel_classes_ms", [](sim::ObjectReader& m, const std::string& k) {
    return m.number(k, 0, kMaxMs);
  });
  s.class_launches = read_map<int>(r, "class_launches", [](sim::ObjectReader& m, const std::string& k) {
    return static_cast<int>(m.integer(k, 0, 1 << 30));
  });
  s.class_examples = read_map<std::string>(r, "class_examples", [](sim::ObjectReader& m, const std::string& k) {
    return m.string(k);
  });
  s.elementwise_launches = read_map<int>(r, "elementwise_launches", [](sim::ObjectReader& m, const std::string& k) {
    return static_cast<int>(m.integer(k, 0, 1 << 30));
  });
  sim::ObjectReader h = r.object("host_us_per_launch");
  s.host_forward_us_per_launch = h.number("forward", 0, 1e6);
  s.host_backward_us_per_launch = h.number("backward", 0, 1e6);
  h.finish();
  sim::ObjectReader c = r.object("contention");
  s.contention.beside_comm = reading_from_json(c, "beside_comm");
  s.contention.main_beside_second = reading_from_json(c, "main_beside_second");
  s.contention.second_beside_main = reading_from_json(c, "second_beside_main");
  c.finish();
  for (const auto& [cls, ms] : s.kernel_classes)
    if (!s.class_launches.count(cls))
      throw sim::InputError("/class_launches", "expected a launch count for class \"" + cls + "\"");
  for (const auto& [cls, n] : s.class_launches)
    if (!s.kernel_classes.count(cls))
      throw sim::InputError("/kernel_classes_ms", "expected a time for class \"" + cls + "\" (it has launches)");
  r.finish();
  return f;
}

const TraceFigures& deepseek_v3_chunk_pair_figures() {
  static const TraceFigures f = trace_figures_from_json(nlohmann::json::parse(embedded::kDeepSeekChunkPairTraceJson));
  return f;
}

}  // namespace v3sim::calibration
