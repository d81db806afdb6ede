#include "models/serving/fleet_spec.hpp"

#include <cmath>

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

FleetSpec parse_fleet(const nlohmann::json& fleet, const std::string& pointer, int prefill_units, int decode_units) {
  sim::ObjectReader in(fleet, pointer);
  in.only_keys({"autoscale", "prices"});
  FleetSpec f;
  if (in.has("autoscale")) {
    sim::ObjectReader a = in.object("autoscale");
    a.only_keys({"policy", "interval_s", "startup_s", "min_units", "up", "down", "target"});
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
  return f;
}

}  // namespace v3sim::models
