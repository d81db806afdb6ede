// validate --fidelity full: the scenario checked on its reduced step and the
// full run's size estimated before anyone waits for it, held against a count
// by hand and against what the full run then simulates.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_helpers.hpp"

namespace {

class ValidateEstimate : public Cli {};

// Mixtral-8x7B on 16 H800s (PP2, EP8 in one node, dp 8), 4 micro-batches:
// 16 GPUs x 4 micro-batches x 16 MoE layers a stage x 4 all-to-alls
// (dispatch, combine; forward, backward) x 7 NVLink peers = 28,672 flows.
// The full run holds those and the pipeline's: 8 replicas x 4 micro-batches
// x (activation down, gradient up) = 64.
TEST_F(ValidateEstimate, FullFidelityFlowsByHand) {
  const std::string scenario =
      std::string(V3SIM_SOURCE_DIR) + "/scenarios/models/mixtral_8x7b_pretrain_16xh800.json --set /training/global_batch=32";
  const Result v = v3sim("validate " + scenario + " --fidelity full");
  ASSERT_EQ(v.code, 0) << v.output;
  EXPECT_NE(v.output.find("full fidelity: about"), std::string::npos) << v.output;
  EXPECT_NE(v.output.find(" 28,672 all-to-all flows"), std::string::npos) << v.output;
  const Result r = v3sim("run " + scenario + " --fidelity full --json --out " + (dir_ / "full").string());
  ASSERT_EQ(r.code, 0) << r.output;
  const auto summary = nlohmann::json::parse(slurp(dir_ / "full" / "summary.json"));
  EXPECT_EQ(summary["flows"].get<long long>(), 28672 + 64);
  // Reduced fidelity estimates nothing more than it checks.
  const Result reduced = v3sim("validate " + scenario);
  EXPECT_EQ(reduced.output.find("full fidelity"), std::string::npos) << reduced.output;
}

}  // namespace
