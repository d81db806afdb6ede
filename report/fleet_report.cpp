#include "report/fleet_report.hpp"

#include <fmt/format.h>

#include "report/line_chart.hpp"

namespace v3sim::report {

using nlohmann::json;

namespace {

json eplb_json(const models::EplbResult& e) {
  json pools = json::object();
  const char* names[] = {"prefill", "decode"};
  for (std::size_t p = 0; p < 2; ++p) {
    const models::PriceError& err = e.load_factor_error[p];
    pools[names[p]] = {
        {"imbalance", {{"before", e.imbalance[p].before}, {"after", e.imbalance[p].after}, {"fresh", e.imbalance[p].fresh}}},
        {"experts_loaded_per_unit", e.experts_loaded_per_unit[p]},
        {"pause_per_replan_s", e.pause_per_replan_s[p]},
        {"paused_unit_s", e.paused_s[p]},
        {"load_factor_error", {{"points", err.points}, {"max_relative", err.max_relative}, {"mean_relative", err.mean_relative}}},
        {"load_simulations", e.load_simulations[p]}};
  }
  return {{"interval_s", e.interval_s}, {"window_s", e.window_s}, {"epoch_s", e.epoch_s}, {"grid_s", e.grid_s},
          {"replans", e.replans}, {"epochs", e.epochs.size()}, {"pools", pools}};
}

// The day's expert imbalance by epoch: the plan in force against a fresh one and none.
std::string eplb_html(const models::EplbResult& e) {
  std::vector<double> t;
  LineSeries d_after{"decode: plan in force", {}}, d_fresh{"decode: fresh plan", {}}, d_before{"decode: no redundancy", {}},
      p_after{"prefill: plan in force", {}}, p_fresh{"prefill: fresh plan", {}};
  for (const models::EplbEpoch& x : e.epochs) {
    t.push_back(x.mid_s / 3600);
    d_after.y.push_back(x.imbalance[1].after);
    d_fresh.y.push_back(x.imbalance[1].fresh);
    d_before.y.push_back(x.imbalance[1].before);
    p_after.y.push_back(x.imbalance[0].after);
    p_fresh.y.push_back(x.imbalance[0].fresh);
  }
  std::string html = fmt::format(
      "<p>Experts re-planned {} times (every {:.0f} s on the last {:.0f} s of load); a unit pauses {:.3f} s (prefill) and {:.3f} s (decode) a re-plan on average. "
      "Imbalance is the busiest GPU's expected share of a layer's token copies over the mean, averaged over the MoE layers.</p>\n",
      e.replans, e.interval_s, e.window_s, e.pause_per_replan_s[0], e.pause_per_replan_s[1]);
  return html + line_chart("Expert imbalance", "time (h)", t, {d_after, d_fresh, d_before, p_after, p_fresh}, "busiest / mean");
}

}  // namespace

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
  if (f.eplb) v["eplb"] = eplb_json(*f.eplb);
  return v;
}

std::string fleet_terminal_line(const models::ServingResult& r) {
  const models::FleetResult& f = r.fleet;
  std::string t = fmt::format("  fleet: nodes mean {:.2f}, peak {:.0f}, min {:.0f}; {:.0f} input tokens/s per prefill node, {:.0f} output per decode node; {:.1f} tokens/s per user (mean)\n",
                              f.nodes_mean, f.nodes_peak, f.nodes_min, f.prefill_input_per_node_s, f.decode_output_per_node_s,
                              f.user_tokens_per_s.mean);
  if (f.priced) t += fmt::format("  cost ${:.0f}, revenue ${:.0f}\n", f.cost_usd, f.revenue_usd());
  if (const auto& e = f.eplb)
    t += fmt::format("  experts: {} re-plans; imbalance (decode) {:.3f} in force vs {:.3f} fresh, {:.3f} without redundancy; "
                     "load factor error max {:.1f}% (prefill), {:.1f}% (decode)\n",
                     e->replans, e->imbalance[1].after, e->imbalance[1].fresh, e->imbalance[1].before,
                     100 * e->load_factor_error[0].max_relative, 100 * e->load_factor_error[1].max_relative);
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
      cost{"cost ($/h)", {}}, revenue{"revenue ($/h)", {}}, ttft{"TTFT", {}}, tpot{"TPOT", {}}, hits{"hits", {}};
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
    ttft.y.push_back(b.ttft_p90_s);
    tpot.y.push_back(b.tpot_p90_s * 1e3);
    hits.y.push_back(input > 0 ? cached / input : 0);
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
  html += line_chart("Latency (p90 of each interval)", "time (h)", t, {ttft}, "s");
  html += line_chart("Time per output token (p90 of each interval)", "time (h)", t, {tpot}, "ms");
  html += line_chart("Prefix-cache hits (of each interval's input tokens)", "time (h)", t, {hits}, "share");
  if (f.eplb) html += eplb_html(*f.eplb);
  return html;
}

}  // namespace v3sim::report
