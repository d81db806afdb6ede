#include "models/scenario.hpp"

#include <gtest/gtest.h>

#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

using nlohmann::json;

std::pair<std::string, std::string> error_of(const json& doc) {
  try {
    parse_scenario(doc);
  } catch (const sim::InputError& e) {
    return {e.pointer(), e.what()};
  }
  return {"", "no error"};
}

json valid() {
  return json::parse(R"({"name": "x", "schedule": {"kind": "dualpipe", "stages": 8, "microbatches": 20},
                         "op_costs_ms": {"F": 1, "B": 2, "W": 1, "FB": 2}})");
}

TEST(Scenario, ParsesTheAbstractMode) {
  const Scenario s = parse_scenario(valid());
  EXPECT_EQ(s.schedule.kind, ScheduleKind::kDualPipe);
  EXPECT_EQ(s.schedule.stages, 8);
  EXPECT_EQ(s.schedule.microbatches, 20);
  EXPECT_EQ(s.op_costs.FB, 2);
  EXPECT_EQ(s.op_costs.p2p_latency, 0);
}

TEST(Scenario, ErrorsNameThePointerAndWhatWasExpected) {
  json j = valid();
  j["schedule"]["kind"] = "dualpipes";
  EXPECT_EQ(error_of(j).first, "/schedule/kind");
  EXPECT_NE(error_of(j).second.find("did you mean \"dualpipe\""), std::string::npos);

  j = valid();
  j["schedule"]["stages"] = 7;
  EXPECT_EQ(error_of(j), std::make_pair(std::string("/schedule/stages"),
                                        std::string("dualpipe needs an even number of stages, got 7")));

  j = valid();
  j["op_costs_ms"].erase("W");
  EXPECT_EQ(error_of(j).first, "/op_costs_ms/W");

  j = valid();
  j["op_costs_ms"]["W"] = 2;
  EXPECT_EQ(error_of(j).second, "expected W < B (W is the weight-gradient part of the full backward B)");

  j = valid();
  j["op_costs_ms"]["F"] = -1;
  EXPECT_EQ(error_of(j).first, "/op_costs_ms/F");

  j = valid();
  j["shedule"] = j["schedule"];
  EXPECT_EQ(error_of(j), std::make_pair(std::string("/shedule"), std::string("unknown key 'shedule' (did you mean 'schedule'?)")));

  j = valid();
  j.erase("op_costs_ms");
  EXPECT_EQ(error_of(j).first, "/op_costs_ms");
}

TEST(Scenario, OneFOneBNeedsNoWeightTime) {
  json j = valid();
  j["schedule"]["kind"] = "1f1b";
  j["op_costs_ms"] = {{"F", 1}, {"B", 2}};
  EXPECT_NO_THROW(parse_scenario(j));
}

}  // namespace
}  // namespace v3sim::models
