// A fleet over time: the autoscaling policies on hand-worked signals, the
// pool ledger's node-seconds, and a run's closures (cost from node-hours,
// revenue from tokens, conservation, held plus released nodes = the cap).
#include <gtest/gtest.h>

#include "models/scenario.hpp"
#include "models/serving/autoscaler.hpp"
#include "models/serving/pool_ledger.hpp"
#include "models/serving/serving_sim.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

PoolSignal signal(int serving, double utilisation, bool backlog = false, int starting = 0) {
  PoolSignal s;
  s.serving = serving, s.starting = starting, s.floor = 1, s.cap = 8;
  s.utilisation = utilisation, s.backlog = backlog;
  return s;
}

TEST(Autoscaler, ThresholdStepsOneUnitAtATime) {
  AutoscaleSpec a;
  a.policy = ScalingPolicy::kThreshold, a.up = 0.8, a.down = 0.4;
  const auto p = make_autoscaler(a);
  EXPECT_EQ(p->wanted(signal(4, 0.9)), 5);
  EXPECT_EQ(p->wanted(signal(4, 0.6)), 4);
  EXPECT_EQ(p->wanted(signal(4, 0.6, true)), 5);  // requests wait
  EXPECT_EQ(p->wanted(signal(4, 0.2)), 3);
  EXPECT_EQ(p->wanted(signal(1, 0.0)), 1);  // the floor
  EXPECT_EQ(p->wanted(signal(8, 1.0)), 8);  // the cap
}

// Work 0.9 x 4 units = 3.6 units busy; at a target of 0.6 that is 6 units.
TEST(Autoscaler, TargetUtilisationSizesToTheWork) {
  AutoscaleSpec a;
  a.policy = ScalingPolicy::kTargetUtilisation, a.target = 0.6;
  const auto p = make_autoscaler(a);
  EXPECT_EQ(p->wanted(signal(4, 0.9)), 6);
  EXPECT_EQ(p->wanted(signal(4, 0.3)), 2);
  EXPECT_EQ(p->wanted(signal(4, 0.3, true)), 3);
  EXPECT_EQ(p->wanted(signal(4, 0.3, false, 2)), 6);  // units starting are kept
  EXPECT_EQ(p->wanted(signal(4, 0.0)), 1);
  a.policy = ScalingPolicy::kFixed;
  EXPECT_EQ(make_autoscaler(a)->wanted(signal(2, 0.0)), 8);
}

TEST(Autoscaler, SloDrivenFollowsTheIntervalsLatency) {
  AutoscaleSpec a;
  a.policy = ScalingPolicy::kSlo, a.down = 0.5;
  const auto p = make_autoscaler(a);
  PoolSignal s = signal(4, 0.7);
  s.latency_over_slo = 1.3;
  EXPECT_EQ(p->wanted(s), 5);  // p90 misses the SLO
  s.latency_over_slo = 0.8;
  EXPECT_EQ(p->wanted(s), 4);
  s.latency_over_slo = 0.3;
  EXPECT_EQ(p->wanted(s), 4);  // far within the SLO, but busy
  s.utilisation = 0.2;
  EXPECT_EQ(p->wanted(s), 3);
  s.backlog = true;
  EXPECT_EQ(p->wanted(s), 5);
}

// Two units of 3 nodes from t = 0: unit 1 drains at 10 s and is released at
// 15 s, starts at 40 s and serves from 50 s; accounted to 60 s.
// Caps of 24 prefill and 10 decode units: prefill wants 12 (half its cap),
// decode 8 (0.8 of its cap), so both take 0.8: 19.2 -> 20 prefill, 8 decode.
TEST(Autoscaler, FixedRatioTakesTheLargerShareOfTheCaps) {
  PoolSignal p = signal(12, 0.5), d = signal(8, 0.8);
  p.cap = 24, d.cap = 10;
  EXPECT_EQ(at_fixed_ratio(12, p, 8, d), std::make_pair(20, 8));
  EXPECT_EQ(at_fixed_ratio(12, p, 5, d), std::make_pair(12, 5));  // whole shares stay whole
  p.floor = 3;
  EXPECT_EQ(at_fixed_ratio(1, p, 1, d), std::make_pair(3, 1));
}

TEST(PoolLedger, NodeSecondsByHand) {
  PoolLedger l(2, 3, 0);
  l.set(1, UnitState::kDraining, 10);
  EXPECT_EQ(l.count(UnitState::kServing), 1);
  l.set(1, UnitState::kReleased, 15);
  EXPECT_EQ(l.held_nodes(), 3);
  l.set(1, UnitState::kStarting, 40);
  l.set(1, UnitState::kServing, 50);
  l.account(60);
  EXPECT_DOUBLE_EQ(l.node_s(), 6 * 15 + 3 * 25 + 6 * 20);
  EXPECT_DOUBLE_EQ(l.released_node_s(), 3 * 25);
  EXPECT_DOUBLE_EQ(l.serving_unit_s(), 2 * 10 + 1 * 40 + 2 * 10);
}

// Four 1-node prefill units and four 2-node decode units at fixed step
// prices; three hours at 4, 0.2 and 4 requests a second; 40% of every
// prompt given as cached.
nlohmann::json day(const std::string& policy) {
  nlohmann::json doc = nlohmann::json::parse(R"({
    "cluster": {"node": "h800", "nodes": 12, "fabric": {"kind": "multi_plane_fat_tree", "planes": 8, "switch_ports": 64}},
    "workload": {"kind": "serving", "model": "deepseek-v3", "model_overrides": {"layers": 4, "dense_layers": 1},
      "source": {"kind": "synthetic", "hourly_rate_per_s": [4, 0.2, 4], "seed": 4,
                 "input_len": {"kind": "uniform", "min": 200, "max": 3000},
                 "output_len": {"kind": "uniform", "min": 20, "max": 400},
                 "prefix": {"hit_ratio": 0.4}},
      "prefill": {"units": 4, "deployment": {"ep": 8}, "tokens_per_gpu": 1024},
      "decode": {"units": 4, "deployment": {"ep": 16}, "max_requests_per_gpu": 2, "mtp": {"depth": 1, "acceptance": 0.8}},
      "prefix_cache": {"tiers": [{"name": "disk", "read_gb_per_s": 10, "total_read_gb_per_s": 40}]},
      "step_prices": {"kind": "fixed", "prefill_s": 0.2, "decode_s": 0.05},
      "fleet": {"autoscale": {"policy": "target_utilisation", "interval_s": 120, "target": 0.6, "startup_s": 60},
                "prices": {"gpu_hour_usd": 2, "input_hit_per_m_usd": 0.14, "input_miss_per_m_usd": 0.55, "output_per_m_usd": 2.19}}}})");
  doc["workload"]["fleet"]["autoscale"]["policy"] = policy;
  return doc;
}

TEST(Fleet, ClosuresOnTheRunsOwnNumbers) {
  const ServingSpec s = *parse_scenario(day("target_utilisation")).serving;
  double output = 0;
  for (const Request& q : load_requests(s.source, "/workload/source")) output += q.output_len;
  const ServingResult r = simulate_serving(s);
  const FleetResult& f = r.fleet;
  EXPECT_EQ(r.completed + r.rejected, r.arrived);
  EXPECT_EQ(r.rejected, 0);
  EXPECT_DOUBLE_EQ(r.output_tokens, output);
  // Node-hours x 8 GPUs x $2 is the cost; the tokens at their prices the revenue.
  EXPECT_NEAR(f.cost_usd, (f.prefill_node_hours + f.decode_node_hours) * 8 * 2, 1e-9 * f.cost_usd);
  EXPECT_NEAR(f.revenue_usd(), (r.cached_tokens * 0.14 + (r.input_tokens - r.cached_tokens) * 0.55 + r.output_tokens * 2.19) * 1e-6,
              1e-9 * f.revenue_usd());
  EXPECT_NEAR(r.hit_ratio, 0.4, 1e-3);
  // Held and released nodes make the cap (12 nodes) at every moment, so the
  // mean held is 12 x held / (held + released) node-hours.
  const double held = f.prefill_node_hours + f.decode_node_hours;
  EXPECT_NEAR(f.nodes_mean, 12 * held / (held + f.released_node_hours), 1e-9 * 12);
  EXPECT_NEAR(f.prefill_input_per_node_s * f.prefill_node_hours * 3600, r.input_tokens, 1e-6 * r.input_tokens);
  // The quiet hour gives nodes back; the busy ones take them.
  EXPECT_LT(f.nodes_min, 12);
  EXPECT_LE(f.nodes_peak, 12);
  EXPECT_GT(f.released_node_hours, 0);
  EXPECT_GT(f.scale_downs, 0);
  EXPECT_GT(f.scale_ups, 0);
  EXPECT_LT(f.nodes_mean, 12);
}

// The SLO policy needs SLOs; with them it gives the quiet hour's nodes back.
TEST(Fleet, SloPolicyReleasesNodesWhenLatencyIsFarWithin) {
  nlohmann::json doc = day("slo");
  EXPECT_THROW(parse_scenario(doc), sim::InputError);
  doc["workload"]["slo"] = {{"ttft_s", 2.0}, {"tpot_s", 0.1}};
  const ServingResult r = simulate_serving(*parse_scenario(doc).serving);
  EXPECT_EQ(r.completed + r.rejected, r.arrived);
  EXPECT_LT(r.fleet.nodes_min, 12);
  EXPECT_GT(r.fleet.released_node_hours, 0);
}

// DeepSeek's off-peak window, 00:30 to 08:30, on a run starting at 12:00.
TEST(FleetPrices, OffPeakShareByTheClock) {
  FleetPrices p;
  p.discount_factor = 0.25, p.discount_from_h = 0.5, p.discount_to_h = 8.5, p.clock_start_h = 12;
  EXPECT_EQ(p.paid_share(0), 1);               // 12:00
  EXPECT_EQ(p.paid_share(13 * 3600.0), 0.25);  // 01:00
  EXPECT_EQ(p.paid_share(20.4 * 3600.0), 0.25);  // 08:24
  EXPECT_EQ(p.paid_share(21 * 3600.0), 1);        // 09:00
  // A window past midnight: 22:00 to 06:00.
  p.discount_from_h = 22, p.discount_to_h = 6, p.clock_start_h = 0;
  EXPECT_EQ(p.paid_share(23 * 3600.0), 0.25);
  EXPECT_EQ(p.paid_share(5 * 3600.0), 0.25);
  EXPECT_EQ(p.paid_share(7 * 3600.0), 1);
}

// Revenue paid equals the list revenue without a discount, and a discount
// over the whole clock pays its factor of it.
TEST(Fleet, RevenuePaidAtCompletionMatchesTheTokensRevenue) {
  nlohmann::json doc = day("fixed");
  const ServingResult plain = simulate_serving(*parse_scenario(doc).serving);
  EXPECT_NEAR(plain.fleet.revenue_paid_usd, plain.fleet.revenue_usd(), 1e-9 * plain.fleet.revenue_usd());
  doc["workload"]["fleet"]["prices"]["off_peak"] = {{"from_h", 0}, {"to_h", 24}, {"factor", 0.5}};
  const ServingResult half = simulate_serving(*parse_scenario(doc).serving);
  EXPECT_NEAR(half.fleet.revenue_paid_usd, 0.5 * half.fleet.revenue_usd(), 1e-9 * half.fleet.revenue_usd());
}

TEST(Fleet, FixedPolicyHoldsEveryNodeThroughout) {
  const ServingResult r = simulate_serving(*parse_scenario(day("fixed")).serving);
  const FleetResult& f = r.fleet;
  EXPECT_DOUBLE_EQ(f.nodes_mean, 12);
  EXPECT_DOUBLE_EQ(f.nodes_min, 12);
  EXPECT_DOUBLE_EQ(f.released_node_hours, 0);
  EXPECT_EQ(f.scale_ups + f.scale_downs, 0);
  EXPECT_NEAR(f.decode_node_hours, 8 * f.prefill_node_hours / 4, 1e-9 * f.decode_node_hours);
}

// Bad fleet objects are input errors naming their pointer.
TEST(Fleet, BadInputNamesItsPointer) {
  auto error_at = [](const nlohmann::json& patch) {
    nlohmann::json doc = day("threshold");
    doc["workload"]["fleet"].merge_patch(patch);
    try {
      parse_scenario(doc);
    } catch (const sim::InputError& e) {
      return e.pointer();
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_at({{"autoscale", {{"down", 0.9}, {"up", 0.8}}}}), "/workload/fleet/autoscale/down");
  EXPECT_EQ(error_at({{"autoscale", {{"policy", "magic"}}}}), "/workload/fleet/autoscale/policy");
  EXPECT_EQ(error_at({{"autoscale", {{"min_units", {{"decode", 5}}}}}}), "/workload/fleet/autoscale/min_units/decode");
  EXPECT_EQ(error_at({{"prices", {{"gpu_hour_usd", -1}}}}), "/workload/fleet/prices/gpu_hour_usd");
  EXPECT_EQ(error_at({{"extra", 1}}), "/workload/fleet/extra");
  EXPECT_EQ(error_at({{"autoscale", {{"ratio", "golden"}}}}), "/workload/fleet/autoscale/ratio");
  nlohmann::json doc = day("fixed");
  doc["workload"].erase("prefix_cache");
  EXPECT_THROW(parse_scenario(doc), sim::InputError);
}

}  // namespace
}  // namespace v3sim::models
