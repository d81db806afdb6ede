// Study files: axes as products or zips, ranges, and errors that name the
// study's field.
#include <gtest/gtest.h>

#include "models/study/study.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

const nlohmann::json kBase = {{"schedule", {{"kind", "1f1b"}, {"stages", 4}, {"microbatches", 8}}},
                              {"op_costs_ms", {{"F", 1}, {"B", 2}}}};

nlohmann::json study(nlohmann::json axes, const std::string& combine = "product") {
  return {{"base", "x.json"}, {"combine", combine}, {"axes", std::move(axes)}, {"fields", {"/step_time_ms"}}};
}

TEST(Study, ProductVariesTheLastAxisFastest) {
  const Study s = parse_study(study({{{"pointer", "/schedule/kind"}, {"values", {"1f1b", "zb1p"}}},
                                     {{"pointer", "/schedule/stages"}, {"range", {{"start", 2}, {"stop", 6}, {"step", 2}}}}}));
  const auto points = expand_study(s, kBase);
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points[0].scenario["schedule"]["kind"], "1f1b");
  EXPECT_EQ(points[0].scenario["schedule"]["stages"], 2);
  EXPECT_EQ(points[1].scenario["schedule"]["stages"], 4);
  EXPECT_EQ(points[2].scenario["schedule"]["stages"], 6);
  EXPECT_EQ(points[3].scenario["schedule"]["kind"], "zb1p");
  EXPECT_TRUE(points[1].scenario["schedule"]["stages"].is_number_integer());  // integer ranges stay integers
  EXPECT_EQ(points[5].values, (std::vector<nlohmann::json>{"zb1p", 6}));
  EXPECT_EQ(points[5].index, 5u);
  // Untouched fields come from the base.
  EXPECT_EQ(points[4].scenario["op_costs_ms"]["B"], 2);
}

TEST(Study, ZipPairsValuesAndFractionalRanges) {
  const Study s = parse_study(study({{{"pointer", "/op_costs_ms/F"}, {"range", {{"start", 0.5}, {"stop", 1.5}, {"step", 0.5}}}},
                                     {{"pointer", "/op_costs_ms/B"}, {"values", {1, 2, 3}}}},
                                    "zip"));
  const auto points = expand_study(s, kBase);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_DOUBLE_EQ(points[2].scenario["op_costs_ms"]["F"].get<double>(), 1.5);
  EXPECT_EQ(points[2].scenario["op_costs_ms"]["B"], 3);
}

std::string pointer_of(const nlohmann::json& doc, const nlohmann::json& base = kBase) {
  try {
    expand_study(parse_study(doc), base);
  } catch (const sim::InputError& e) {
    return e.pointer();
  }
  return "no error";
}

TEST(Study, ErrorsNameTheStudyField) {
  // A pointer into nothing in the base names the axis.
  EXPECT_EQ(pointer_of(study({{{"pointer", "/overlap/comm_sms"}, {"values", {1}}}})), "/axes/0/pointer");
  EXPECT_EQ(pointer_of(study({{{"pointer", "/schedule/kind"}, {"values", {"1f1b"}}},
                              {{"pointer", "/schedule/stages"}, {"values", {2, 4}}}},
                             "zip")),
            "/axes/1");
  EXPECT_EQ(pointer_of(study({{{"pointer", "/schedule/kind"}, {"values", nlohmann::json::array()}}})), "/axes/0/values");
  EXPECT_EQ(pointer_of(study({{{"pointer", "/schedule/kind"}, {"values", {"a"}}, {"range", {{"start", 1}}}}})), "/axes/0");
  nlohmann::json bad = study({{{"pointer", "/schedule/kind"}, {"values", {"1f1b"}}}});
  bad["fields"] = {"step_time_ms"};
  EXPECT_EQ(pointer_of(bad), "/fields/0");
  bad = study({{{"pointer", "/schedule/kind"}, {"values", {"1f1b"}}}});
  bad["axis"] = 1;
  EXPECT_EQ(pointer_of(bad), "/axis");
}

}  // namespace
}  // namespace v3sim::models
