// Expert re-planning over a day: the drift's law (Ornstein-Uhlenbeck moments
// against their closed forms), re-plans on a still load (nothing moves, the
// plan in force is a fresh one), a stale plan against a frequent one on a
// moving load, the pause's rate, and the step prices' load factor (1 on the
// scenario's own load, above 1 on a skewed one).
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "models/inference/expert_load.hpp"
#include "models/scenario.hpp"
#include "models/serving/expert_drift.hpp"
#include "models/serving/expert_replanning.hpp"
#include "models/serving/step_prices.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

double variance(const std::vector<double>& x) {
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
  double v = 0;
  for (double a : x) v += (a - mean) * (a - mean);
  return v / static_cast<double>(x.size() - 1);
}

TEST(ExpertDrift, NoDriftKeepsTheBaseShares) {
  ExpertDrift d({{1, 2, 5}, {4, 4, 2}}, DriftSpec{0, 0, 1});
  d.advance(10);
  const auto s = d.shares();
  EXPECT_DOUBLE_EQ(s[0][2], 5.0 / 8);
  EXPECT_DOUBLE_EQ(s[1][0], 0.4);
}

// dx = -x/tau dt + sigma dW: stationary variance sigma^2 tau / 2, lag
// correlation exp(-dt/tau); without reversion, variance sigma^2 t from 0.
// 40,000 experts: the variance's standard error is under 1%.
TEST(ExpertDrift, OrnsteinUhlenbeckMomentsMatchTheirClosedForms) {
  const std::vector<std::vector<double>> base{std::vector<double>(40000, 1.0)};
  ExpertDrift ou(base, DriftSpec{0.3, 2, 7});
  const std::vector<double> x0 = ou.offsets()[0];
  EXPECT_NEAR(variance(x0), 0.09, 0.09 * 0.04);
  ou.advance(1);
  const std::vector<double> x1 = ou.offsets()[0];
  EXPECT_NEAR(variance(x1), 0.09, 0.09 * 0.04);
  double cov = 0;
  for (std::size_t i = 0; i < x0.size(); ++i) cov += x0[i] * x1[i];
  EXPECT_NEAR(cov / static_cast<double>(x0.size()) / 0.09, std::exp(-0.5), 0.02);

  ExpertDrift walk(base, DriftSpec{0.3, 0, 7});
  EXPECT_EQ(variance(walk.offsets()[0]), 0);
  for (int i = 0; i < 4; ++i) walk.advance(0.25);
  EXPECT_NEAR(variance(walk.offsets()[0]), 0.09, 0.09 * 0.04);
}

// Three MoE layers of DeepSeek-V3's experts, EPLB placement with 32
// redundant experts: prefill units of EP8, decode units of EP16.
nlohmann::json scenario(const nlohmann::json& eplb) {
  nlohmann::json doc = nlohmann::json::parse(R"({
    "cluster": {"node": "h800", "nodes": 12, "fabric": {"kind": "multi_plane_fat_tree", "planes": 8, "switch_ports": 64}},
    "workload": {"kind": "serving", "model": "deepseek-v3", "model_overrides": {"layers": 4, "dense_layers": 1},
      "expert_load": {"kind": "zipf", "exponent": 0.3},
      "source": {"kind": "synthetic", "rate_per_s": 4, "requests": 40, "seed": 4,
                 "input_len": {"kind": "uniform", "min": 200, "max": 3000},
                 "output_len": {"kind": "uniform", "min": 20, "max": 100}},
      "prefill": {"units": 2, "deployment": {"ep": 8, "experts_per_gpu": 36, "redundant_experts": 32, "placement": "eplb"},
                  "tokens_per_gpu": 1024},
      "decode": {"units": 2, "deployment": {"ep": 16, "experts_per_gpu": 18, "redundant_experts": 32, "placement": "eplb"},
                 "max_requests_per_gpu": 8},
      "fleet": {}}})");
  doc["workload"]["fleet"]["eplb"] = eplb;
  return doc;
}

TEST(ExpertReplanning, StillLoadMovesNothingAndItsPlanIsFresh) {
  const ServingSpec s = *parse_scenario(scenario({{"interval_s", 600}})).serving;
  ExpertReplanning r(*s.fleet.eplb, s.prefill, s.decode);
  r.advance(3599);  // epoch 11, its middle at 3,450 s: re-plans at 600, ..., 3,000
  for (int t = 0; t < 3600; t += 300) r.advance(t);
  EXPECT_EQ(r.totals().replans, 5);
  EXPECT_EQ(r.epoch().plans, 6);
  ASSERT_EQ(r.epochs().size(), 1u);  // the jump to 3,599 s made one epoch; earlier times never come back
  for (std::size_t p = 0; p < 2; ++p) {
    EXPECT_EQ(r.totals().experts_loaded[p], 0);
    EXPECT_EQ(r.pause_s(static_cast<int>(p)), 0);
    EXPECT_NEAR(r.epoch().imbalance[p].after, r.epoch().imbalance[p].fresh, 1e-9);
    EXPECT_GT(r.epoch().imbalance[p].before, r.epoch().imbalance[p].after);
  }
}

// On a moving load (a random walk of 1 per square-root hour), the plan kept
// from the start is worse three hours later than one made every 10 minutes,
// which is worse than a fresh one.
TEST(ExpertReplanning, StalePlansBalanceWorseOnAMovingLoad) {
  const nlohmann::json drift = {{"sigma_per_sqrt_h", 1.0}, {"seed", 3}};
  const ServingSpec often = *parse_scenario(scenario({{"interval_s", 600}, {"drift", drift}})).serving;
  const ServingSpec never = *parse_scenario(scenario({{"interval_s", 0}, {"drift", drift}})).serving;
  ExpertReplanning a(*often.fleet.eplb, often.prefill, often.decode), b(*never.fleet.eplb, never.prefill, never.decode);
  double often_after = 0, never_after = 0, fresh = 0;
  for (double t = 2 * 3600; t < 3 * 3600; t += 300) {
    a.advance(t), b.advance(t);
    often_after += a.epoch().imbalance[1].after;
    never_after += b.epoch().imbalance[1].after;
    fresh += a.epoch().imbalance[1].fresh;
  }
  EXPECT_GT(never_after, often_after);
  EXPECT_GT(often_after, fresh);
  EXPECT_EQ(b.totals().replans, 0);
  EXPECT_GT(a.totals().experts_loaded[1], 0);
}

// A unit's pause is its busiest GPU's expert bytes over the reload rate: half
// the rate, twice the pause; never more than reloading every slot.
TEST(ExpertReplanning, PauseIsTheBusiestGpusBytesOverTheRate) {
  auto run = [](double gb_per_s) {
    const ServingSpec s = *parse_scenario(scenario({{"interval_s", 600}, {"reload_gb_per_s", gb_per_s},
                                                    {"drift", {{"sigma_per_sqrt_h", 1.0}, {"seed", 5}}}})).serving;
    ExpertReplanning r(*s.fleet.eplb, s.prefill, s.decode);
    r.advance(3600);
    return r.totals().pause_per_replan_s;
  };
  const auto fast = run(20), slow = run(10);
  const double expert = 3.0 * 7168 * 2048;  // FP8 bytes of one expert of DeepSeek-V3
  for (std::size_t p = 0; p < 2; ++p) {
    EXPECT_GT(fast[p], 0);
    EXPECT_NEAR(slow[p], 2 * fast[p], 1e-12 * slow[p]);
  }
  EXPECT_LE(fast[0] / 6, 36 * 3 * expert / 20e9);  // prefill: 36 slots x 3 layers, per re-plan
  EXPECT_LE(fast[1] / 6, 18 * 3 * expert / 20e9);
}

// The load factor is 1 on the scenario's own load and raises the price of a
// step whose load piles onto few experts the plan did not expect.
TEST(ExpertReplanning, LoadFactorIsOneOnTheOwnLoadAndAboveOnASkewedOne) {
  const ServingSpec s = *parse_scenario(scenario({{"interval_s", 600}})).serving;
  StepPrices prices(s, 3000, 3100);
  const double own = prices.decode_s(8, 2000), own_prefill = prices.prefill_s({1024, 512}, {1024 * 1024.0, 512 * 256.0});
  const int layers = 3;
  auto base = std::make_shared<const ExpertShares>(expected_shares(s.decode.unit.load, 256, layers));
  prices.set_expert_load(base, base, false);
  EXPECT_NEAR(prices.decode_s(8, 2000), own, 1e-12 * own);
  EXPECT_NEAR(prices.prefill_s({1024, 512}, {1024 * 1024.0, 512 * 256.0}), own_prefill, 1e-12 * own_prefill);
  // Half of every layer's copies on one expert.
  ExpertShares skew = *base;
  for (auto& row : skew) {
    for (double& x : row) x *= 0.5;
    row[0] += 0.5;
  }
  prices.set_expert_load(std::make_shared<const ExpertShares>(skew), base, true);
  EXPECT_GT(prices.decode_s(8, 2000), 1.05 * own);
  EXPECT_GT(prices.prefill_s({1024, 512}, {1024 * 1024.0, 512 * 256.0}), 1.05 * own_prefill);
}

TEST(ExpertReplanning, BadInputNamesItsPointer) {
  auto error_at = [](const nlohmann::json& eplb) {
    try {
      parse_scenario(scenario(eplb));
    } catch (const sim::InputError& e) {
      return e.pointer();
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_at({{"interval_s", 600}, {"window_s", 900}}), "/workload/fleet/eplb/window_s");
  EXPECT_EQ(error_at({{"interval_s", 60}, {"epoch_s", 300}}), "/workload/fleet/eplb/epoch_s");
  EXPECT_EQ(error_at({{"interval_s", 0.5}}), "/workload/fleet/eplb/interval_s");
  EXPECT_EQ(error_at({{"drift", {{"reversion_h", 1}}}}), "/workload/fleet/eplb/drift/sigma_per_sqrt_h");
  EXPECT_EQ(error_at({{"surprise", 1}}), "/workload/fleet/eplb/surprise");
}

}  // namespace
}  // namespace v3sim::models
