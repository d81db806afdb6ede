#include "report/fleet_report.hpp"

#include <fmt/format.h>

#include "report/line_chart.hpp"

namespace v3sim::report {

using nlohmann::json;

json fleet_summary_json(const models::ServingSpec& s, const models::ServingResult& r) {
  const models::FleetResult& f = r.fleet;
  json v = {{"nodes", {{"mean", f.nodes_mean}, {"peak", f.nodes_peak}, {"min", f.nodes_min}}},
            {"node_hours", {{"prefill", f.prefill_node_hours}, {"decode", f.decode_node_hours},
                            {"total", f.prefill_node_hours + f.decode_node_hours}}},
            {"released_node_hours", f.released_node_hours},
            {"per_node_tokens_per_s", {{"prefill_input", f.prefill_input_per_node_s}, {"decode_output", f.decode_output_per_node_s}}},
            {"output_tokens_per_s_per_user", {{"mean", f.user_tokens_per_s.mean}, {"p50", f.user_tokens_per_s.p50}}},
            {"prefix_cache_hit_ratio", r.hit_ratio},
            {"scaling", {{"policy", s.fleet.autoscale.policy == models::ScalingPolicy::kFixed       ? "fixed"
                                    : s.fleet.autoscale.policy == models::ScalingPolicy::kThreshold ? "threshold"
                                    : s.fleet.autoscale.policy == models::ScalingPolicy::kSlo       ? "slo"
                                                                                                     : "target_utilisation"},
                         {"ups", f.scale_ups}, {"downs", f.scale_downs}}},
            {"tokens", {{"input", r.input_tokens}, {"input_cached", r.cached_tokens}, {"output", r.output_tokens}}}};
  if (f.priced) {
    v["cost_usd"] = f.cost_usd;
    v["revenue_usd"] = f.revenue_usd();
    v["revenue_by_kind_usd"] = {{"input_hit", f.revenue_hit_usd}, {"input_miss", f.revenue_miss_usd}, {"output", f.revenue_output_usd}};
    v["margin"] = f.revenue_usd() > 0 ? 1 - f.cost_usd / f.revenue_usd() : 0;
    v["revenue_paid_usd"] = f.revenue_paid_usd;
  }
  return v;
}

std::string fleet_terminal_line(const models::ServingResult& r) {
  const models::FleetResult& f = r.fleet;
  std::string t = fmt::format("  fleet: nodes mean {:.2f}, peak {:.0f}, min {:.0f}; {:.0f} input tokens/s per prefill node, {:.0f} output per decode node; {:.1f} tokens/s per user (mean)\n",
                              f.nodes_mean, f.nodes_peak, f.nodes_min, f.prefill_input_per_node_s, f.decode_output_per_node_s,
                              f.user_tokens_per_s.mean);
  if (f.priced) t += fmt::format("  cost ${:.0f}, revenue ${:.0f}\n", f.cost_usd, f.revenue_usd());
  return t;
}

std::string fleet_html(const models::ServingSpec& s, const models::ServingResult& r) {
  const models::FleetResult& f = r.fleet;
  std::string html = "<h2>Fleet</h2>\n";
  html += fmt::format("<p>Nodes held: mean {:.2f}, peak {:.0f}, min {:.0f}; {:.0f} node-hours ({:.0f} prefill, {:.0f} decode), {:.0f} released. ",
                      f.nodes_mean, f.nodes_peak, f.nodes_min, f.prefill_node_hours + f.decode_node_hours, f.prefill_node_hours,
                      f.decode_node_hours, f.released_node_hours);
  if (f.priced) html += fmt::format("Cost ${:.0f}, revenue ${:.0f}.", f.cost_usd, f.revenue_usd());
  html += "</p>\n";
  // Per interval between samples: nodes, token rates, and money per hour.
  std::vector<double> t;
  LineSeries pn{"prefill nodes held", {}}, dn{"decode nodes held", {}}, in{"input tokens/s", {}}, out{"output tokens/s", {}},
      cost{"cost ($/h)", {}}, revenue{"revenue ($/h)", {}};
  const int pnodes = s.prefill.cluster.spec.nodes, dnodes = s.decode.cluster.spec.nodes;
  const double gpus = s.prefill.cluster.spec.node.gpus;
  for (std::size_t i = 1; i < r.samples.size(); ++i) {
    const models::ServingSample& a = r.samples[i - 1];
    const models::ServingSample& b = r.samples[i];
    const double dt = b.t_s - a.t_s;
    if (dt <= 0) continue;
    t.push_back(b.t_s / 3600);
    pn.y.push_back(b.prefill_held * pnodes);
    dn.y.push_back(b.decode_held * dnodes);
    const double input = (b.input_tokens - a.input_tokens) / dt, cached = (b.cached_tokens - a.cached_tokens) / dt,
                 output = (b.output_tokens - a.output_tokens) / dt;
    in.y.push_back(input);
    out.y.push_back(output);
    if (f.priced) {
      const models::FleetPrices& p = *s.fleet.prices;
      cost.y.push_back((b.prefill_held * pnodes + b.decode_held * dnodes) * gpus * p.gpu_hour_usd);
      revenue.y.push_back(3600e-6 * (cached * p.input_hit_per_m_usd + (input - cached) * p.input_miss_per_m_usd +
                                     output * p.output_per_m_usd));
    }
  }
  html += line_chart("Nodes held per pool", "time (h)", t, {pn, dn}, "nodes");
  html += line_chart("Load", "time (h)", t, {in, out}, "tokens/s");
  if (f.priced) html += line_chart("Money per hour", "time (h)", t, {cost, revenue}, "$/h");
  return html;
}

}  // namespace v3sim::report
