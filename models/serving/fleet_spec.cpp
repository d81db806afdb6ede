#include "models/serving/fleet_spec.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "sim/json_reader.hpp"

namespace v3sim::models {

double FleetPrices::paid_share(double t_s) const {
  if (discount_factor == 1) return 1;
  const double h = std::fmod(clock_start_h + t_s / 3600, 24);
  // A window may wrap past midnight (from 22 to 6).
  const bool off_peak = discount_from_h <= discount_to_h ? h >= discount_from_h && h < discount_to_h
                                                         : h >= discount_from_h || h < discount_to_h;
  return off_peak ? discount_factor : 1;
}

namespace {

EplbSpec parse_eplb(sim::ObjectReader e) {
  e.only_keys({"interval_s", "window_s", "epoch_s", "drift", "reload_gb_per_s", "check_points"});
  EplbSpec x;
  x.interval_s = e.optional_number("interval_s", 0, 86400).value_or(x.interval_s);
  if (x.interval_s > 0 && x.interval_s < 1) throw sim::InputError(e.child_pointer("interval_s"), "expected 0 (never) or at least 1");
  x.window_s = e.optional_number("window_s", 1, 86400).value_or(x.interval_s > 0 ? x.interval_s : x.window_s);
  if (x.interval_s > 0 && x.window_s > x.interval_s)
    throw sim::InputError(e.child_pointer("window_s"), "expected at most interval_s (" + fmt::format("{}", x.interval_s) + ")");
  // A step pays for the re-plans before it one at a time: at most one an epoch.
  x.epoch_s = e.optional_number("epoch_s", 1, 86400).value_or(x.interval_s > 0 ? std::min(x.epoch_s, x.interval_s) : x.epoch_s);
  if (x.interval_s > 0 && x.epoch_s > x.interval_s)
    throw sim::InputError(e.child_pointer("epoch_s"), "expected at most interval_s (" + fmt::format("{}", x.interval_s) + ")");
  if (e.has("drift")) {
    sim::ObjectReader d = e.object("drift");
    d.only_keys({"sigma_per_sqrt_h", "reversion_h", "seed"});
    x.drift.sigma_per_sqrt_h = d.number("sigma_per_sqrt_h", 0, 10);
    x.drift.reversion_h = d.optional_number("reversion_h", 0, 1e6).value_or(0);
    x.drift.seed = static_cast<std::uint64_t>(d.optional_integer("seed", 0, 1LL << 62).value_or(1));
  }
  x.reload_gb_per_s = e.optional_number("reload_gb_per_s", 1e-3, 1e6).value_or(0);
  x.check_points = static_cast<int>(e.optional_integer("check_points", 0, 1000).value_or(x.check_points));
  return x;
}

}  // namespace

FleetSpec parse_fleet(const nlohmann::json& fleet, const std::string& pointer, int prefill_units, int decode_units) {
  sim::ObjectReader in(fleet, pointer);
  in.only_keys({"autoscale", "prices", "eplb"});
  FleetSpec f;
  if (in.has("autoscale")) {
    sim::ObjectReader a = in.object("autoscale");
    a.only_keys({"policy", "interval_s", "startup_s", "min_units", "up", "down", "target", "ratio"});
    AutoscaleSpec& s = f.autoscale;
    const std::string policy = a.one_of("policy", {"fixed", "threshold", "target_utilisation", "slo"});
    s.policy = policy == "fixed"                ? ScalingPolicy::kFixed
               : policy == "threshold"          ? ScalingPolicy::kThreshold
               : policy == "target_utilisation" ? ScalingPolicy::kTargetUtilisation
                                                : ScalingPolicy::kSlo;
    s.interval_s = a.optional_number("interval_s", 1, 86400).value_or(s.interval_s);
    s.startup_s = a.optional_number("startup_s", 0, 86400).value_or(0);
    if (a.has("min_units")) {
      sim::ObjectReader m = a.object("min_units");
      m.only_keys({"prefill", "decode"});
      s.min_prefill = static_cast<int>(m.optional_integer("prefill", 1, prefill_units).value_or(1));
      s.min_decode = static_cast<int>(m.optional_integer("decode", 1, decode_units).value_or(1));
    }
    s.up = a.optional_number("up", 0.01, 10).value_or(s.up);
    s.down = a.optional_number("down", 0, 10).value_or(s.down);
    if (s.down >= s.up) throw sim::InputError(a.child_pointer("down"), "expected below 'up' (" + std::to_string(s.up) + ")");
    s.target = a.optional_number("target", 0.01, 1).value_or(s.target);
    s.fixed_ratio = a.optional_one_of("ratio", {"free", "fixed"}).value_or("free") == "fixed";
  }
  if (in.has("prices")) {
    sim::ObjectReader p = in.object("prices");
    p.only_keys({"gpu_hour_usd", "input_hit_per_m_usd", "input_miss_per_m_usd", "output_per_m_usd", "off_peak"});
    FleetPrices x;
    x.gpu_hour_usd = p.number("gpu_hour_usd", 0, 1e6);
    x.input_hit_per_m_usd = p.number("input_hit_per_m_usd", 0, 1e6);
    x.input_miss_per_m_usd = p.number("input_miss_per_m_usd", 0, 1e6);
    x.output_per_m_usd = p.number("output_per_m_usd", 0, 1e6);
    if (p.has("off_peak")) {
      sim::ObjectReader o = p.object("off_peak");
      o.only_keys({"from_h", "to_h", "factor", "clock_start_h"});
      x.discount_from_h = o.number("from_h", 0, 24);
      x.discount_to_h = o.number("to_h", 0, 24);
      x.discount_factor = o.number("factor", 0, 1);
      x.clock_start_h = o.optional_number("clock_start_h", 0, 24).value_or(0);
    }
    f.prices = x;
  }
  if (in.has("eplb")) f.eplb = parse_eplb(in.object("eplb"));
  return f;
}

}  // namespace v3sim::models
