#pragma once
// A study: a base scenario and axes of values to put at JSON pointers in it,
// combined as a cartesian product or zipped, and the summary fields to
// tabulate. Expanding a study gives one scenario document per point; nothing
// here simulates or writes (cli/sweep does). Format: docs/studies.md.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace v3sim::models {

struct StudyAxis {
  std::string pointer;               // into the scenario
  std::vector<nlohmann::json> values;
};

struct Study {
  std::string name;
  std::string description;
  std::string base;                  // scenario file, relative to the study file
  bool zip = false;                  // false: cartesian product
  std::vector<StudyAxis> axes;
  std::vector<std::string> fields;   // JSON pointers into summary.json
  std::string objective;             // the field whose best point is highlighted (default: the first)
  bool maximise = false;
};

struct StudyPoint {
  std::size_t index = 0;
  std::vector<nlohmann::json> values;  // one per axis
  nlohmann::json scenario;             // the base with the values set
};

// Strict; throws sim::InputError with the JSON pointer of the bad field.
Study parse_study(const nlohmann::json& doc);

// Throws sim::InputError naming the axis ("/axes/N/pointer") when a pointer
// leads into nothing in the base scenario.
void check_axes(const Study& study, const nlohmann::json& base);

// Point `index` (the last axis varies fastest in a product), built on demand
// so that a large study is never expanded up front.
StudyPoint study_point(const Study& study, const nlohmann::json& base, std::size_t index);
std::vector<nlohmann::json> point_values(const Study& study, std::size_t index);

// Every point, in order, after check_axes: for small studies and tests.
std::vector<StudyPoint> expand_study(const Study& study, const nlohmann::json& base);

std::size_t point_count(const Study& study);

}  // namespace v3sim::models
