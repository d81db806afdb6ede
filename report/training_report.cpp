#include "report/training_report.hpp"

#include <fmt/format.h>

#include "models/training/chunk_pair_summary.hpp"
#include "report/chunk_pair_figure.hpp"
#include "report/html_page.hpp"
#include "report/pipeline_timeline.hpp"
#include "report/time_axis.hpp"

namespace v3sim::report {
namespace {

using nlohmann::json;

double gb(double bytes) { return bytes / 1e9; }

}  // namespace

json training_summary_json(const models::Scenario& scenario, const models::TrainingResult& r, bool host_timing) {
  const models::TrainingSpec& t = r.spec;
  json ranks = json::array();
  double max_bubble = 0, sum_bubble = 0;
  for (const models::TrainingRank& k : r.ranks) {
    const double step = r.step_time_s;
    max_bubble = std::max(max_bubble, sim::to_seconds(k.bubble));
    sum_bubble += sim::to_seconds(k.bubble);
    ranks.push_back({{"rank", k.rank},
                     {"compute_s", sim::to_seconds(k.compute)},
                     {"exposed_comm_s", sim::to_seconds(k.exposed_comm)},
                     {"host_wait_s", sim::to_seconds(k.host_wait)},
                     {"dp_sync_s", sim::to_seconds(k.dp_sync.total())},
                     {"bubble_s", sim::to_seconds(k.bubble)},
                     {"bubble_fraction", sim::to_seconds(k.bubble) / step},
                     {"pipeline_end_s", sim::to_seconds(k.pipeline_end)},
                     {"memory_bytes",
                      {{"parameters", k.memory.parameters},
                       {"gradients", k.memory.gradients},
                       {"optimizer", k.memory.optimizer},
                       {"activations", k.memory.activations},
                       {"total", k.memory.total()},
                       {"capacity", k.memory.capacity},
                       {"fits", k.memory.fits()}}}});
  }
  json out;
  out["scenario"] = scenario.name;
  out["mode"] = "training";
  out["fidelity"] = t.fidelity == models::Fidelity::kFull ? "full" : "reduced";
  out["model"] = t.model.name;
  out["calibration"] = t.calibration;
  out["gpus"] = r.gpus;
  out["parallelism"] = {{"pp", t.parallel.pp}, {"dp", r.dp}, {"ep", t.parallel.ep}, {"tp", t.parallel.tp},
                        {"cp", t.parallel.cp}, {"zero", t.parallel.zero}};
  out["schedule"] = {{"kind", models::schedule_kind_name(t.schedule)},
                     {"ranks", r.pipeline.schedule.ranks},
                     {"model_parts", r.pipeline.schedule.model_parts},
                     {"microbatches", r.microbatches}};
  json parts = json::array();
  for (const models::PartPlan& p : r.plan.parts) parts.push_back(p.layers);
  out["layers_per_part"] = parts;
  out["step_time_s"] = r.step_time_s;
  out["tokens_per_step"] = r.tokens_per_step;
  out["tokens_per_s"] = r.tokens_per_s;
  out["tokens_per_day"] = r.tokens_per_day;
  out["gpu_hours_per_trillion_tokens"] = r.gpu_hours_per_trillion_tokens;
  out["model_flops_per_step"] = r.model_flops_per_step;
  out["mfu_bf16"] = r.mfu_bf16;
  out["mfu_fp8"] = r.mfu_fp8;
  out["bubble_fraction"] = sum_bubble / (r.step_time_s * static_cast<double>(r.ranks.size()));
  out["max_bubble_s"] = max_bubble;
  out["all_to_all_s"] = {{"to_experts_fp8", sim::to_seconds(r.phase_time[0])},
                         {"to_experts_bf16", sim::to_seconds(r.phase_time[1])},
                         {"from_experts_bf16", sim::to_seconds(r.phase_time[2])}};
  out["pipeline_transfer_s"] = sim::to_seconds(r.p2p_time);
  out["ep_notify"] = {{"notify_round_us", sim::to_seconds(r.notify_round) * 1e6},
                      {"slowest_expert_scale", r.slowest_expert_scale}};
  if (t.chunk_pair) {
    out["chunk_pair_s"] = sim::to_seconds(r.chunk_pair_time);
    const models::ChunkPairSummary p = models::summarize_chunk_pair(r);
    out["chunk_pair"] = {{"span_ms", p.span_ms},
                         {"layer_pairs", p.layer_pairs},
                         {"compute_busy_ms", p.compute_busy_ms},
                         {"comm_busy_ms", p.comm_busy_ms},
                         {"components", p.components},
                         {"kernel_classes", p.kernel_classes}};
  }
  out["compute_sms"] = r.plan.compute_sms;
  out["ranks"] = std::move(ranks);
  // Whether every rank's memory fits its HBM (per rank in ranks[].memory.fits).
  json over = json::array();
  for (const models::TrainingRank& k : r.ranks)
    if (!k.memory.fits()) over.push_back(k.rank);
  out["fits"] = over.empty();
  out["ranks_over_memory"] = std::move(over);
  out["warnings"] = r.warnings;
  out["reductions"] = r.reductions;
  out["events"] = r.events;
  out["tasks"] = r.tasks;
  out["flows"] = r.flows;
  out["wall_time_s"] = host_timing ? r.wall_seconds : 0.0;
  return out;
}

std::string training_terminal_summary(const models::Scenario& scenario, const models::TrainingResult& r) {
  std::string s = fmt::format("{}\n", scenario.name.empty() ? "training step" : scenario.name);
  s += fmt::format("  {} on {} GPUs, {} (pp {} dp {} ep {} tp {}{}), {} micro-batches per pipeline, {} fidelity\n",
                   r.spec.model.name, r.gpus, models::schedule_kind_name(r.spec.schedule), r.spec.parallel.pp, r.dp,
                   r.spec.parallel.ep, r.spec.parallel.tp,
                   r.spec.parallel.cp > 1 ? fmt::format(" cp {}", r.spec.parallel.cp) : std::string(), r.microbatches,
                   r.spec.fidelity == models::Fidelity::kFull ? "full" : "reduced");
  s += fmt::format("  step {:.3f} s   {:.3g} tokens/s   {:.0f} GPU-hours per trillion tokens   MFU {:.1f}% (BF16 peak) "
                   "{:.1f}% (FP8 peak)\n",
                   r.step_time_s, r.tokens_per_s, r.gpu_hours_per_trillion_tokens, 100 * r.mfu_bf16, 100 * r.mfu_fp8);
  s += "  rank  compute s  exposed comm s  host wait s  dp sync s  bubble s  memory GB = 1e9 B "
       "(params+grads+optim+act / HBM)\n";
  for (const models::TrainingRank& k : r.ranks)
    s += fmt::format("  {:>4}  {:>9.3f}  {:>14.3f}  {:>11.3f}  {:>9.3f}  {:>8.3f}  {:.1f}+{:.1f}+{:.1f}+{:.1f} = {:.1f} / {:.0f}{}\n",
                     k.rank, sim::to_seconds(k.compute), sim::to_seconds(k.exposed_comm), sim::to_seconds(k.host_wait),
                     sim::to_seconds(k.dp_sync.total()), sim::to_seconds(k.bubble), gb(k.memory.parameters),
                     gb(k.memory.gradients), gb(k.memory.optimizer), gb(k.memory.activations), gb(k.memory.total()),
                     gb(k.memory.capacity), k.memory.fits() ? "" : "  DOES NOT FIT");
  for (const std::string& w : r.warnings) s += "  warning: " + w + "\n";
  return s;
}

std::string training_html_report(const models::Scenario& scenario, const models::TrainingResult& r) {
  const std::string title = scenario.name.empty() ? "v3sim training step" : scenario.name;
  std::string html = html_page_start(title, scenario.description);
  html += fmt::format(
      "<table><tr><th>model</th><td>{}</td></tr><tr><th>GPUs</th><td>{} (pp {} dp {} ep {} tp {})</td></tr>"
      "<tr><th>schedule</th><td>{}, {} micro-batches per pipeline</td></tr>"
      "<tr><th>step time</th><td>{:.3f} s</td></tr><tr><th>tokens per second</th><td>{:.4g}</td></tr>"
      "<tr><th>GPU-hours per trillion tokens</th><td>{:.0f}</td></tr>"
      "<tr><th>MFU (BF16 / FP8 peak)</th><td>{:.1f}% / {:.1f}%</td></tr></table>\n",
      html_escape(r.spec.model.name), r.gpus, r.spec.parallel.pp, r.dp, r.spec.parallel.ep, r.spec.parallel.tp,
      models::schedule_kind_name(r.spec.schedule), r.microbatches, r.step_time_s, r.tokens_per_s,
      r.gpu_hours_per_trillion_tokens, 100 * r.mfu_bf16, 100 * r.mfu_fp8);
  for (const std::string& w : r.warnings) html += "<p><b>Warning:</b> " + html_escape(w) + "</p>\n";
  TimelineStats stats;
  const std::string timeline = draw_timeline(training_timeline(r), &stats);
  html += "<h2>Pipeline timeline (replica 0)</h2>\n<p>Each rank's program ops on its compute stream, and under it the "
          "all-to-all kernels on its communication SMs. The step ends after the data-parallel tail.</p>\n" +
          pipeline_legend(false, true, true) + "\n" + timeline_controls("pipeline") + "\n" + timeline + "\n" +
          aggregation_note(stats);
  html += chunk_pair_figure(r);

  // Memory per rank: stacked bars against HBM, on an axis in GB (10^9 bytes).
  const double width = 600, row = 18, left = 60;
  double scale = 1;
  for (const models::TrainingRank& k : r.ranks) scale = std::max({scale, k.memory.total(), k.memory.capacity});
  const double bottom = 4 + row * static_cast<double>(r.ranks.size());
  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{:.0f}" height="{:.0f}" font-family="sans-serif">)",
                                width + 200, bottom + 40);
  // Ticks at round GB values.
  int decimals = 0;
  for (const double v : nice_ticks(0, gb(scale), 6, &decimals)) {
    const double x = left + width * v / gb(scale);
    svg += fmt::format(R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="2" y2="{1:.1f}" stroke="#e4e4e4"/>)"
                       R"(<text x="{0:.1f}" y="{2:.1f}" font-size="10" text-anchor="middle">{3:.{4}f}</text>)",
                       x, bottom, bottom + 13, v, decimals);
  }
  svg += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="11" text-anchor="middle">memory per GPU (GB = 10^9 bytes)</text>)",
                     left + width / 2, bottom + 30);
  const char* colours[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759"};
  const char* part_names[] = {"parameters", "gradients", "optimizer state", "activations (peak)"};
  for (const models::TrainingRank& k : r.ranks) {
    const double y = 4 + row * k.rank;
    double x = left;
    svg += fmt::format(R"(<text x="54" y="{:.1f}" font-size="11" text-anchor="end">rank {}</text>)", y + 11, k.rank);
    const double parts[] = {k.memory.parameters, k.memory.gradients, k.memory.optimizer, k.memory.activations};
    for (int i = 0; i < 4; ++i) {
      const double w = width * parts[i] / scale;
      svg += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{}" fill="{}"><title>rank {}: {} {:.2f} GB</title></rect>)",
                         x, y, w, row - 4, colours[i], k.rank, part_names[i], gb(parts[i]));
      x += w;
    }
    const double cap = left + width * k.memory.capacity / scale;
    svg += fmt::format(R"(<line x1="{:.1f}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}" stroke="#000" stroke-width="2"><title>HBM {:.1f} GB</title></line>)",
                       cap, cap, y - 1, y + row - 3, gb(k.memory.capacity));
    svg += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="11">{:.1f} GB of {:.1f} GB</text>)", left + width + 10, y + 11,
                       gb(k.memory.total()), gb(k.memory.capacity));
  }
  svg += "</svg>";
  html += "<h2>Memory per rank</h2>\n<p class=\"legend\"><span><i style=\"background:#4e79a7\"></i>parameters</span>"
          "<span><i style=\"background:#f28e2b\"></i>gradients</span><span><i style=\"background:#59a14f\"></i>optimizer "
          "state</span><span><i style=\"background:#e15759\"></i>activations (peak)</span><span>black line: HBM capacity</span>"
          "<span>GB = 10<sup>9</sup> bytes</span></p>\n" +
          svg + "\n";
  std::string rows;
  for (const models::TrainingRank& k : r.ranks)
    rows += fmt::format("<tr><td>{}</td><td>{:.3f}</td><td>{:.3f}</td><td>{:.3f}</td><td>{:.3f}</td><td>{:.3f}</td><td>{:.1f}</td></tr>",
                        k.rank, sim::to_seconds(k.compute), sim::to_seconds(k.exposed_comm), sim::to_seconds(k.host_wait),
                        sim::to_seconds(k.dp_sync.total()), sim::to_seconds(k.bubble), gb(k.memory.total()));
  html += "<h2>Time by category</h2>\n<table><tr><th>rank</th><th>compute s</th><th>exposed comm s</th><th>host wait s</th><th>dp sync s</th>"
          "<th>bubble s</th><th>memory GB (10<sup>9</sup> bytes)</th></tr>" + rows + "</table>\n";
  html += "<h2>Shortcuts taken</h2>\n<ul>";
  for (const std::string& s : r.reductions) html += "<li>" + html_escape(s) + "</li>";
  html += "</ul>\n";
  return html + html_page_end();
}

}  // namespace v3sim::report
