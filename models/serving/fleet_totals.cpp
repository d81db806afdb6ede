#include "models/serving/fleet_totals.hpp"

namespace v3sim::models {

FleetResult fleet_totals(const ServingSpec& s, const ServingResult& r, PoolLedger& prefill, PoolLedger& decode,
                         double end_s) {
  prefill.account(end_s);
  decode.account(end_s);
  FleetResult f;
  const double span = end_s > 0 ? end_s : 1;
  f.nodes_mean = (prefill.node_s() + decode.node_s()) / span;
  f.prefill_node_hours = prefill.node_s() / 3600;
  f.decode_node_hours = decode.node_s() / 3600;
  f.released_node_hours = (prefill.released_node_s() + decode.released_node_s()) / 3600;
  f.prefill_input_per_node_s = prefill.node_s() > 0 ? r.input_tokens / prefill.node_s() : 0;
  f.decode_output_per_node_s = decode.node_s() > 0 ? r.output_tokens / decode.node_s() : 0;
  if (s.fleet.prices) {
    const FleetPrices& p = *s.fleet.prices;
    f.priced = true;
    f.cost_usd = (f.prefill_node_hours + f.decode_node_hours) * s.prefill.cluster.spec.node.gpus * p.gpu_hour_usd;
    f.revenue_hit_usd = r.cached_tokens * p.input_hit_per_m_usd * 1e-6;
    f.revenue_miss_usd = (r.input_tokens - r.cached_tokens) * p.input_miss_per_m_usd * 1e-6;
    f.revenue_output_usd = r.output_tokens * p.output_per_m_usd * 1e-6;
  }
  return f;
}

}  // namespace v3sim::models
