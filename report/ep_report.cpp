#include "report/ep_report.hpp"

#include "report/trace_writer.hpp"

#include <fmt/format.h>

#include <array>
#include <map>

#include "report/html_page.hpp"

namespace v3sim::report {
namespace {

nlohmann::json phase_json(const models::EpPhaseResult& p) {
  return {{"time_ms", sim::to_ms(p.time)},
          {"bytes_per_token", p.bytes_per_token},
          {"nvlink_logical_gb_per_s", p.nvlink_logical_gb_per_s},
          {"rdma_logical_gb_per_s", p.rdma_logical_gb_per_s},
          {"bound_by", p.bound_by},
          {"bound_utilization", p.bound_utilization},
          {"flows", p.flows},
          {"events", p.events}};
}

std::string phase_line(const char* name, const models::EpPhaseResult& p) {
  std::string line = fmt::format("{:<9} {:>9.3f} ms  NVLink {:>7.1f} GB/s", name, sim::to_ms(p.time), p.nvlink_logical_gb_per_s);
  if (p.rdma_logical_gb_per_s > 0) line += fmt::format("  RDMA {:>6.1f} GB/s", p.rdma_logical_gb_per_s);
  return line + fmt::format("  bound by {} ({:.0f}% busy)\n", p.bound_by, 100 * p.bound_utilization);
}

}  // namespace

std::string ep_chrome_trace(const models::EpResult& r) {
  TraceWriter w;
  for (int g = 0; g < r.spec.ep; ++g) {
    w.process_name(g, "gpu " + std::to_string(g));
    w.process_sort_index(g, g);
    const char* names[] = {"phase", "NVLink out", "fabric out"};
    for (int t = 0; t < 3; ++t) {
      w.thread_name(g, t, names[t]);
      w.thread_sort_index(g, t, t);
    }
  }
  // Bytes each GPU sends per second, over NVLink and the fabric: each flow
  // counted at its mean rate from its start to its end.
  std::vector<std::map<sim::Time, std::array<double, 2>>> rate(static_cast<std::size_t>(r.spec.ep));
  sim::Time offset = 0;
  for (const auto& [name, phase] : {std::pair{"dispatch", &r.dispatch}, std::pair{"combine", &r.combine}}) {
    for (int g = 0; g < r.spec.ep; ++g) w.complete(name, "phase", g, 0, offset, phase->time);
    for (const auto& f : phase->flow_records) {
      w.async_span(std::string(name) + " to gpu " + std::to_string(f.to_gpu), name, f.from_gpu, f.fabric ? 2 : 1,
                   offset + f.start, offset + f.end, {{"bytes", fmt::format("{}", f.bytes)}});
      if (f.end <= f.start) continue;
      const double v = f.bytes / sim::to_seconds(f.end - f.start);
      auto& steps = rate[static_cast<std::size_t>(f.from_gpu)];
      steps[offset + f.start][f.fabric ? 1 : 0] += v;
      steps[offset + f.end][f.fabric ? 1 : 0] -= v;
    }
    offset += phase->time;
  }
  for (int g = 0; g < r.spec.ep; ++g) {
    std::array<double, 2> level{};
    for (const auto& [t, d] : rate[static_cast<std::size_t>(g)]) {
      level[0] += d[0];
      level[1] += d[1];
      w.counter("traffic sent (GB/s, mean over each flow)", g, t,
                TraceArgs{{"NVLink", fmt::format("{:.4g}", std::max(0.0, level[0]) / 1e9)},
                          {"fabric", fmt::format("{:.4g}", std::max(0.0, level[1]) / 1e9)}});
    }
  }
  w.top_level("distributedInfo", fmt::format("{{\"backend\":\"v3sim\",\"world_size\":{},\"ep\":{}}}", r.spec.ep, r.spec.ep));
  return w.finish();
}

nlohmann::json ep_summary_json(const models::Scenario& scenario, const models::EpResult& r, bool host_timing) {
  const auto& s = r.spec;
  return {{"scenario", scenario.name},
          {"mode", "ep_alltoall"},
          {"workload",
           {{"ep", s.ep},
            {"tokens_per_rank", s.tokens_per_rank},
            {"hidden", s.hidden},
            {"topk", s.topk},
            {"experts", s.experts},
            {"group_limit", s.group_limit},
            {"dispatch_dtype", s.dispatch_dtype},
            {"combine_dtype", s.combine_dtype},
            {"comm_sms", s.comm_offload ? 0 : s.comm_sms},
            {"comm_offload", s.comm_offload},
            {"skew", s.skew},
            {"seed", s.seed}}},
          {"comm_gb_per_s_per_sm", r.comm_gb_per_s_per_sm},
          {"dispatch", phase_json(r.dispatch)},
          {"combine", phase_json(r.combine)},
          {"events", r.dispatch.events + r.combine.events},
          {"wall_time_s", host_timing ? r.wall_seconds : 0.0},
          {"reductions", nlohmann::json::array({"token copies aggregated into one flow per (sender, target node) on the "
                                                "fabric and per (GPU, GPU) on NVLink; all flows of a phase start together "
                                                "(chunked pipelining of the real kernels)"})}};
}

std::string ep_terminal_summary(const models::Scenario& scenario, const models::EpResult& r) {
  std::string out;
  if (!scenario.name.empty()) out += scenario.name + "\n";
  out += fmt::format("ep_alltoall: EP{}, {} tokens/rank, hidden {}, top-{} of {} experts, {} SMs{}\n", r.spec.ep,
                     r.spec.tokens_per_rank, r.spec.hidden, r.spec.topk, r.spec.experts, r.spec.comm_sms,
                     r.spec.comm_offload ? " (offloaded: no SM cap)" : "");
  out += phase_line("dispatch", r.dispatch) + phase_line("combine", r.combine);
  return out;
}

std::string ep_html_report(const models::Scenario& scenario, const models::EpResult& r) {
  std::string rows;
  for (const auto& [name, p] : {std::pair{"dispatch", &r.dispatch}, std::pair{"combine", &r.combine}})
    rows += fmt::format("<tr><td>{}</td><td>{:.3f}</td><td>{:.1f}</td><td>{:.1f}</td><td>{}</td><td>{:.0f}%</td></tr>", name,
                        sim::to_ms(p->time), p->nvlink_logical_gb_per_s, p->rdma_logical_gb_per_s, p->bound_by,
                        100 * p->bound_utilization);
  const std::string title = scenario.name.empty() ? "Expert-parallel dispatch and combine" : scenario.name;
  return html_page_start(title, scenario.description) +
         fmt::format("<p>EP{}, {} tokens per rank, hidden {}, top-{} of {} experts, {} communication SMs.</p>", r.spec.ep,
                     r.spec.tokens_per_rank, r.spec.hidden, r.spec.topk, r.spec.experts, r.spec.comm_sms) +
         "<table><tr><th>phase</th><th>time ms</th><th>NVLink GB/s (DeepEP accounting)</th><th>RDMA GB/s</th>"
         "<th>bound by</th><th>busiest link</th></tr>" +
         rows + "</table>\n" + html_page_end();
}

}  // namespace v3sim::report
