#include "models/serving/fleet_spec.hpp"

#include "sim/json_reader.hpp"

namespace v3sim::models {

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
    p.only_keys({"gpu_hour_usd", "input_hit_per_m_usd", "input_miss_per_m_usd", "output_per_m_usd"});
    FleetPrices x;
    x.gpu_hour_usd = p.number("gpu_hour_usd", 0, 1e6);
    x.input_hit_per_m_usd = p.number("input_hit_per_m_usd", 0, 1e6);
    x.input_miss_per_m_usd = p.number("input_miss_per_m_usd", 0, 1e6);
    x.output_per_m_usd = p.number("output_per_m_usd", 0, 1e6);
    f.prices = x;
  }
  return f;
}

}  // namespace v3sim::models
