#include "models/study/study.hpp"

#include <cmath>

#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

constexpr std::size_t kMaxPoints = 10'000'000;

std::vector<nlohmann::json> range_values(sim::ObjectReader r) {
  r.only_keys({"start", "stop", "step"});
  const double start = r.number("start", -1e15, 1e15), stop = r.number("stop", -1e15, 1e15);
  const double step = r.number("step", 1e-12, 1e15);
  if (stop < start) throw sim::InputError(r.child_pointer("stop"), "expected stop >= start");
  const double count = std::floor((stop - start) / step + 1e-9) + 1;  // may pass any integer type
  if (!(count <= static_cast<double>(kMaxPoints)))
    throw sim::InputError(r.child_pointer("step"), "too many values (at most " + std::to_string(kMaxPoints) + ")");
  const auto n = static_cast<std::size_t>(count);
  // Integers stay integers, so that integer fields accept them.
  const bool integral = start == std::floor(start) && step == std::floor(step);
  std::vector<nlohmann::json> v;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = start + static_cast<double>(i) * step;
    v.push_back(integral ? nlohmann::json(static_cast<long long>(std::llround(x))) : nlohmann::json(x));
  }
  return v;
}

StudyAxis parse_axis(sim::ObjectReader a) {
  a.only_keys({"pointer", "values", "range"});
  StudyAxis axis;
  axis.pointer = a.string("pointer");
  try {
    (void)nlohmann::json::json_pointer(axis.pointer);
  } catch (const nlohmann::json::exception&) {
    throw sim::InputError(a.child_pointer("pointer"), "not a valid JSON pointer: " + axis.pointer);
  }
  if (axis.pointer.empty()) throw sim::InputError(a.child_pointer("pointer"), "expected a pointer into the scenario");
  if (a.has("values") == a.has("range"))
    throw sim::InputError(a.pointer(), "expected exactly one of 'values' (a list) or 'range' ({start, stop, step})");
  if (const nlohmann::json* v = a.child("values")) {
    if (!v->is_array() || v->empty()) throw sim::InputError(a.child_pointer("values"), "expected a non-empty list");
    axis.values.assign(v->begin(), v->end());
  } else {
    axis.values = range_values(a.object("range"));
  }
  return axis;
}

}  // namespace

Study parse_study(const nlohmann::json& doc) {
  sim::ObjectReader in(doc, "");
  in.only_keys({"name", "description", "base", "combine", "axes", "fields", "objective"});
  Study s;
  s.name = in.optional_string("name").value_or("");
  s.description = in.optional_string("description").value_or("");
  s.base = in.string("base");
  s.zip = in.optional_one_of("combine", {"product", "zip"}).value_or("product") == "zip";
  const nlohmann::json* axes = in.child("axes");
  if (axes == nullptr || !axes->is_array() || axes->empty())
    throw sim::InputError("/axes", "expected a non-empty list of axes");
  for (std::size_t i = 0; i < axes->size(); ++i)
    s.axes.push_back(parse_axis(sim::ObjectReader((*axes)[i], "/axes/" + std::to_string(i))));
  const nlohmann::json* fields = in.child("fields");
  if (fields == nullptr || !fields->is_array() || fields->empty())
    throw sim::InputError("/fields", "expected a non-empty list of summary.json pointers, e.g. \"/step_time_s\"");
  for (std::size_t i = 0; i < fields->size(); ++i) {
    const nlohmann::json& f = (*fields)[i];
    if (!f.is_string() || f.get<std::string>().empty() || f.get<std::string>()[0] != '/')
      throw sim::InputError("/fields/" + std::to_string(i), "expected a JSON pointer into summary.json, e.g. \"/step_time_s\"");
    s.fields.push_back(f.get<std::string>());
  }
  s.objective = s.fields.front();
  if (in.has("objective")) {
    sim::ObjectReader o = in.object("objective");
    o.only_keys({"field", "goal"});
    s.objective = o.one_of("field", s.fields);
    s.maximise = o.optional_one_of("goal", {"min", "max"}).value_or("min") == "max";
  }
  if (s.zip)
    for (std::size_t i = 1; i < s.axes.size(); ++i)
      if (s.axes[i].values.size() != s.axes[0].values.size())
        throw sim::InputError("/axes/" + std::to_string(i),
                              "zipped axes need equal lengths (" + std::to_string(s.axes[0].values.size()) + ")");
  if (point_count(s) > kMaxPoints) throw sim::InputError("/axes", "too many points");
  return s;
}

std::size_t point_count(const Study& s) {
  if (s.zip) return s.axes.front().values.size();
  std::size_t n = 1;
  for (const StudyAxis& a : s.axes) n = n > kMaxPoints ? n : n * a.values.size();
  return n;
}

void check_axes(const Study& s, const nlohmann::json& base) {
  for (std::size_t i = 0; i < s.axes.size(); ++i) {
    const auto ptr = nlohmann::json::json_pointer(s.axes[i].pointer);
    const auto parent = ptr.parent_pointer();
    if (!base.contains(parent) || !base.at(parent).is_object())
      throw sim::InputError("/axes/" + std::to_string(i) + "/pointer",
                            s.axes[i].pointer + " leads into nothing in the base scenario (" +
                                (parent.empty() ? std::string("/") : parent.to_string()) + " is not an object there)");
  }
}

std::vector<nlohmann::json> point_values(const Study& s, std::size_t p) {
  std::vector<nlohmann::json> values(s.axes.size());
  std::size_t rest = p;
  for (std::size_t i = s.axes.size(); i-- > 0;) {
    const std::size_t len = s.axes[i].values.size();
    values[i] = s.axes[i].values[s.zip ? p : rest % len];
    rest /= s.zip ? 1 : len;
  }
  return values;
}

StudyPoint study_point(const Study& s, const nlohmann::json& base, std::size_t p) {
  StudyPoint point{p, point_values(s, p), base};
  for (std::size_t i = 0; i < s.axes.size(); ++i)
    point.scenario[nlohmann::json::json_pointer(s.axes[i].pointer)] = point.values[i];
  return point;
}

std::vector<StudyPoint> expand_study(const Study& s, const nlohmann::json& base) {
  check_axes(s, base);
  std::vector<StudyPoint> points;
  for (std::size_t p = 0; p < point_count(s); ++p) points.push_back(study_point(s, base, p));
  return points;
}

}  // namespace v3sim::models
