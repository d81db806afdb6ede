#include "report/serving_report.hpp"

#include <fmt/format.h>

#include "report/fleet_report.hpp"
#include "report/html_page.hpp"
#include "report/line_chart.hpp"
#include "report/trace_writer.hpp"

namespace v3sim::report {
namespace {

using nlohmann::json;

json dist(const models::Distribution& d) {
  return {{"mean", d.mean}, {"p50", d.p50}, {"p90", d.p90}, {"p99", d.p99}, {"count", d.count}};
}

bool has_fleet(const models::Scenario& scenario) { return scenario.serving && scenario.serving->has_fleet; }

json price_error(const models::PriceError& e) {
  return {{"points", e.points}, {"max_relative", e.max_relative}, {"mean_relative", e.mean_relative}};
}

}  // namespace

json serving_summary_json(const models::Scenario& scenario, const models::ServingResult& r, bool host_timing) {
  const models::ServingSpec& s = *scenario.serving;
  json v;
  v["requests"] = {{"arrived", r.arrived}, {"completed", r.completed}, {"rejected", r.rejected}};
  v["ttft_s"] = dist(r.ttft_s);
  v["tpot_s"] = dist(r.tpot_s);
  v["e2e_s"] = dist(r.e2e_s);
  v["duration_s"] = r.duration_s;
  v["throughput"] = {{"input_tokens_per_s", r.input_tokens_per_s},
                     {"output_tokens_per_s", r.output_tokens_per_s},
                     {"per_node", {{"prefill_input_tokens_per_s", r.input_tokens_per_s_per_prefill_node},
                                   {"decode_output_tokens_per_s", r.output_tokens_per_s_per_decode_node}}}};
  v["prefix_cache"] = {{"hit_ratio", r.hit_ratio}, {"bytes_read", r.cache_bytes_read}, {"cached_tokens", r.cached_tokens}};
  if (r.has_slo) {
    json slo = {{"attainment", r.slo_attainment}, {"goodput_requests_per_s", r.goodput_requests_per_s}};
    if (s.slo_ttft_s) slo["ttft_s"] = *s.slo_ttft_s;
    if (s.slo_tpot_s) slo["tpot_s"] = *s.slo_tpot_s;
    v["slo"] = slo;
  }
  v["units"] = {{"prefill", s.prefill.units}, {"decode", s.decode.units},
                {"prefill_gpus_per_unit", s.prefill.unit.deployment.ep}, {"decode_gpus_per_unit", s.decode.unit.deployment.ep}};
  v["steps"] = {{"prefill", r.prefill_steps}, {"decode", r.decode_steps}};
  v["step_price_error"] = s.prices.fixed ? json{{"fixed", true}}
                                         : json{{"prefill", price_error(r.prefill_price_error)},
                                                {"decode", price_error(r.decode_price_error)},
                                                {"step_simulations", r.step_simulations}};
  if (!s.prices.fixed) v["step_price_error"]["prefill_ranks"] = price_error(r.prefill_ranks_error);
  if (!s.prices.fixed && s.prices.envelope)
    v["step_price_error"]["envelope"] = {{"prefill", price_error(r.prefill_envelope_error)},
                                         {"decode", price_error(r.decode_envelope_error)}};
  v["littles_law"] = {{"mean_in_system", r.mean_in_system}, {"arrival_rate_per_s", r.arrival_rate_per_s},
                      {"mean_e2e_s", r.e2e_s.mean}};
  if (s.has_fleet) v["fleet"] = fleet_summary_json(s, r);
  json out = {{"kind", "serving"}, {"scenario", scenario.name}, {"serving", v}};
  out["reductions"] = r.reductions;
  out["wall_time_s"] = host_timing ? r.wall_seconds : 0.0;
  return out;
}

std::string serving_terminal_summary(const models::Scenario& scenario, const models::ServingResult& r) {
  const models::ServingSpec& s = *scenario.serving;
  std::string t = fmt::format("{}\n", scenario.name.empty() ? "serving run" : scenario.name);
  t += fmt::format("  {} requests arrived, {} completed, {} rejected over {:.1f} s; {} prefill units of {} GPUs, {} decode units of {}\n",
                   r.arrived, r.completed, r.rejected, r.duration_s, s.prefill.units, s.prefill.unit.deployment.ep,
                   s.decode.units, s.decode.unit.deployment.ep);
  t += fmt::format("  TTFT mean {:.3f} s, p50 {:.3f}, p99 {:.3f}; TPOT mean {:.1f} ms, p50 {:.1f}, p99 {:.1f}\n", r.ttft_s.mean,
                   r.ttft_s.p50, r.ttft_s.p99, r.tpot_s.mean * 1e3, r.tpot_s.p50 * 1e3, r.tpot_s.p99 * 1e3);
  t += fmt::format("  {:.0f} input and {:.0f} output tokens/s; prefix cache hit ratio {:.3f}\n", r.input_tokens_per_s,
                   r.output_tokens_per_s, r.hit_ratio);
  if (r.has_slo)
    t += fmt::format("  SLO attained by {:.1f}% of requests, goodput {:.2f} requests/s\n", 100 * r.slo_attainment,
                     r.goodput_requests_per_s);
  if (s.has_fleet) t += fleet_terminal_line(r);
  if (!s.prices.fixed)
    t += fmt::format("  step prices: {} step simulations; surface error max {:.1f}% (prefill), {:.1f}% (decode); envelope error max {:.1f}% (prefill), {:.1f}% (decode)\n",
                     r.step_simulations, 100 * r.prefill_price_error.max_relative, 100 * r.decode_price_error.max_relative,
                     100 * r.prefill_envelope_error.max_relative, 100 * r.decode_envelope_error.max_relative);
  return t;
}

std::string serving_chrome_trace(const models::ServingResult& r) {
  TraceWriter w;
  const int unit = r.steps.empty() ? 0 : r.steps.front().unit;
  w.process_name(0, "prefill unit " + std::to_string(unit));
  w.process_name(1, "decode unit " + std::to_string(unit));
  w.thread_name(0, 0, "steps");
  w.thread_name(1, 0, "steps");
  for (const models::UnitStep& st : r.steps)
    w.complete(st.prefill ? "prefill step" : "decode step", st.prefill ? "prefill" : "decode", st.prefill ? 0 : 1, 0, st.start,
               st.end - st.start, {{st.prefill ? "tokens_per_gpu" : "requests_on_busiest_gpu", fmt::format("{:g}", st.load)}});
  return w.finish();
}

std::string serving_html_report(const models::Scenario& scenario, const models::ServingResult& r) {
  std::string html = html_page_start(scenario.name.empty() ? "v3sim serving run" : scenario.name, scenario.description);
  html += "<table><tr><th>quantity</th><th>mean</th><th>p50</th><th>p90</th><th>p99</th></tr>\n";
  for (const auto& [name, d, scale] : {std::tuple{"TTFT (s)", r.ttft_s, 1.0}, std::tuple{"TPOT (ms)", r.tpot_s, 1e3},
                                       std::tuple{"end to end (s)", r.e2e_s, 1.0}})
    html += fmt::format("<tr><td>{}</td><td>{:.4g}</td><td>{:.4g}</td><td>{:.4g}</td><td>{:.4g}</td></tr>\n", name,
                        d.mean * scale, d.p50 * scale, d.p90 * scale, d.p99 * scale);
  html += "</table>\n";
  html += fmt::format("<p>{} arrived, {} completed, {} rejected; {:.0f} input and {:.0f} output tokens/s; prefix cache hit "
                      "ratio {:.3f}.</p>\n",
                      r.arrived, r.completed, r.rejected, r.input_tokens_per_s, r.output_tokens_per_s, r.hit_ratio);
  std::vector<double> t;
  LineSeries arrived{"arrived", {}}, completed{"completed", {}}, pq{"prefill queue", {}}, dq{"decode queue", {}},
      running{"running (all decode GPUs)", {}}, busiest{"on the busiest GPU", {}}, kv{"KV reserved / capacity", {}},
      ttft{"TTFT p90 (s)", {}}, tpot{"TPOT p90 (s)", {}}, hits{"hit ratio so far", {}};
  for (const models::ServingSample& x : r.samples) {
    t.push_back(x.t_s);
    arrived.y.push_back(static_cast<double>(x.arrived));
    completed.y.push_back(static_cast<double>(x.completed));
    pq.y.push_back(x.prefill_queue);
    dq.y.push_back(x.decode_queue);
    running.y.push_back(x.running);
    busiest.y.push_back(x.running_max_gpu);
    kv.y.push_back(x.kv_usage);
    ttft.y.push_back(x.ttft_p90_s);
    tpot.y.push_back(x.tpot_p90_s);
    hits.y.push_back(x.hit_ratio);
  }
  html += "<h2>Over time</h2>\n";
  html += line_chart("Requests", "time (s)", t, {arrived, completed}, "requests");
  html += line_chart("Queues", "time (s)", t, {pq, dq}, "requests");
  html += line_chart("Decode batch", "time (s)", t, {running, busiest}, "requests");
  html += line_chart("KV usage", "time (s)", t, {kv}, "fraction");
  html += line_chart("Latency (p90 of each interval)", "time (s)", t, {ttft, tpot}, "s");
  html += line_chart("Prefix cache", "time (s)", t, {hits}, "fraction");
  if (has_fleet(scenario)) html += fleet_html(*scenario.serving, r);
  html += "<h2>Shortcuts</h2><ul>\n";
  for (const std::string& x : r.reductions) html += "<li>" + html_escape(x) + "</li>\n";
  html += "</ul>\n";
  return html + html_page_end();
}

}  // namespace v3sim::report
