// A pipeline trace past its op budget keeps the step's first ops in time and
// says how many it left out: 1F1B over 4 stages and 10 micro-batches holds
// 4 x 10 x 2 = 80 ops; a budget of 30 keeps the 30 earliest.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "models/pipeline/abstract_costs.hpp"
#include "models/pipeline/executor.hpp"
#include "models/schedule/schedule.hpp"
#include "report/chrome_trace.hpp"

namespace v3sim::report {
namespace {

TEST(ChromeTrace, PastItsBudgetKeepsTheFirstOpsAndSaysSo) {
  models::ScheduleSpec spec;
  spec.kind = models::ScheduleKind::k1F1B, spec.stages = 4, spec.microbatches = 10;
  models::OpCostsMs costs;
  costs.F = 1, costs.B = 2;
  const models::PipelineResult r = models::execute(models::make_schedule(spec), models::abstract_durations(costs, 1), {});
  auto ops = [](const nlohmann::json& t) {
    return std::count_if(t["traceEvents"].begin(), t["traceEvents"].end(),
                         [](const nlohmann::json& e) { return e["ph"] == "X" && e["cat"] != "p2p"; });
  };
  const nlohmann::json whole = nlohmann::json::parse(chrome_trace(r));
  EXPECT_EQ(ops(whole), 80);
  EXPECT_FALSE(whole["otherData"].contains("ops_total"));
  const nlohmann::json cut = nlohmann::json::parse(chrome_trace(r, 30));
  EXPECT_EQ(cut["otherData"]["ops_total"], 80);
  const long long written = cut["otherData"]["ops_written"];
  EXPECT_EQ(ops(cut), written);
  EXPECT_LE(written, 30);  // ties at the cut go out together
  // Every op kept starts before the cut, every op left out at or after it.
  const double cut_us = cut["otherData"]["truncated_at_s"].get<double>() * 1e6;
  std::vector<double> starts;
  for (const auto& e : whole["traceEvents"])
    if (e["ph"] == "X" && e["cat"] != "p2p") starts.push_back(e["ts"]);
  EXPECT_EQ(std::count_if(starts.begin(), starts.end(), [&](double s) { return s < cut_us - 1e-6; }), written);
}

}  // namespace
}  // namespace v3sim::report
