#include "report/inference_report.hpp"

#include "report/trace_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report/html_page.hpp"
#include "report/inference_timeline.hpp"

namespace v3sim::report {
namespace {

using nlohmann::json;

bool prefill(const models::InferenceResult& r) { return r.spec.phase == models::InferencePhase::kPrefill; }

}  // namespace

json inference_summary_json(const models::Scenario& scenario, const models::InferenceResult& r, bool host_timing) {
  const models::InferenceSpec& s = r.spec;
  const models::Deployment& d = s.deployment;
  json out;
  out["scenario"] = scenario.name;
  out["kind"] = "inference";
  out["phase"] = prefill(r) ? "prefill" : "decode";
  out["model"] = s.model.name;  // a preset's name or a HuggingFace config's
  out["deployment"] = {{"gpus", r.gpus},
                       {"nodes", r.nodes},
                       {"attention_tp", d.attention_tp},
                       {"ep", d.ep},
                       {"experts_per_gpu", d.experts_per_gpu},
                       {"redundant_experts", d.redundant_experts},
                       {"placement", d.placement == models::Placement::kEplb     ? "eplb"
                                      : d.placement == models::Placement::kStatic ? "static"
                                                                                  : "none"},
                       {"shared_expert", d.shared == models::SharedExpert::kRouted ? "routed" : "local"},
                       {"comm_sms", d.comm_sms},
                       {"micro_batches", r.micro_batches}};
  out["step_time_s"] = r.step_s;
  json layers = json::array();
  for (double ms : r.layer_ms) layers.push_back(ms);
  out["layer_time_ms"] = layers;
  json stages = json::object();
  for (const models::StageTotal& st : r.stages) stages[st.stage] = {{"mean_ms", st.mean_ms}, {"max_ms", st.max_ms}};
  out["stage_time_ms"] = stages;
  out["streams"] = {{"compute_busy_ms_mean", r.compute_busy_ms_mean},
                    {"compute_busy_ms_max", r.compute_busy_ms_max},
                    {prefill(r) ? "comm_stream_busy_ms_mean" : "nic_busy_ms_mean", r.comm_busy_ms_mean},
                    {prefill(r) ? "comm_stream_busy_ms_max" : "nic_busy_ms_max", r.comm_busy_ms_max}};
  json tp = {{"tokens_per_step_per_gpu", r.tokens_per_step_per_gpu},
             {"tokens_per_s_per_gpu", r.tokens_per_s_per_gpu},
             {"tokens_per_s_per_node", r.tokens_per_s_per_node}};
  if (prefill(r)) {
    tp["counts"] = "input tokens";
    out["ttft_contribution_s"] = r.ttft_s;
  } else {
    tp["counts"] = "output tokens";
    tp["tokens_per_s_per_gpu_without_mtp"] = r.tokens_per_s_per_gpu_without_mtp;
    tp["step_time_s_without_mtp"] = r.step_s_without_mtp;
    // A request's own decoding speed, with and without the draft: what the
    // V3 report's "1.8x tokens per second" measures (docs/inference-model.md, "MTP").
    tp["tokens_per_s_per_request"] = 1 / r.tpot_s;
    tp["tokens_per_s_per_request_without_mtp"] = 1 / r.step_s_without_mtp;
    out["tpot_s"] = r.tpot_s;
    out["mtp"] = {{"depth", s.mtp_depth}, {"acceptance", s.acceptance}, {"draft_ms", r.mtp_draft_ms}};
  }
  out["throughput"] = tp;
  out["memory_per_gpu_gb"] = {{"weights", r.memory.weights / 1e9},
                              {"kv_cache", r.memory.kv_cache / 1e9},
                              {"activations", r.memory.activations / 1e9},
                              {"comm_buffers", r.memory.comm_buffers / 1e9},
                              {"total", r.memory.total() / 1e9},
                              {"hbm", r.memory.hbm / 1e9}};
  out[prefill(r) ? "max_tokens_per_gpu" : "max_requests_per_gpu"] = r.memory.max_batch;
  out["expert_load"] = {{"max_over_mean_before", r.load_imbalance_before},
                        {"max_over_mean_after", r.load_imbalance_after},
                        {"slowest_gpu", r.slowest_gpu}};
  out["reductions"] = r.reductions;
  out["warnings"] = r.warnings;
  out["events"] = r.events;
  out["tasks"] = r.task_count;
  out["wall_time_s"] = host_timing ? r.wall_seconds : 0.0;
  return out;
}

std::string inference_terminal_summary(const models::Scenario& scenario, const models::InferenceResult& r) {
  std::string s = fmt::format("{}\n", scenario.name.empty() ? (prefill(r) ? "prefill step" : "decode step") : scenario.name);
  s += fmt::format("  {} {} step on {} GPUs (EP{}), {} micro-batch{}: {:.3f} ms\n", r.spec.model.name,
                   prefill(r) ? "prefill" : "decode", r.gpus, r.spec.deployment.ep, r.micro_batches, r.micro_batches > 1 ? "es" : "", r.step_s * 1e3);
  s += fmt::format("  {:.0f} {} tokens/s per GPU, {:.0f} per node\n", r.tokens_per_s_per_gpu,
                   prefill(r) ? "input" : "output", r.tokens_per_s_per_node);
  if (!prefill(r)) {
    s += fmt::format("  TPOT {:.2f} ms, {:.1f} tokens/s per request\n", r.tpot_s * 1e3, 1 / r.tpot_s);
    if (r.spec.mtp_depth > 0)
      s += fmt::format("  without the MTP draft: step {:.3f} ms, {:.0f} tokens/s per GPU, {:.1f} per request (the draft: x{:.2f} per GPU, x{:.2f} per request)\n",
                       r.step_s_without_mtp * 1e3, r.tokens_per_s_per_gpu_without_mtp, 1 / r.step_s_without_mtp,
                       r.tokens_per_s_per_gpu / r.tokens_per_s_per_gpu_without_mtp, r.step_s_without_mtp / r.tpot_s);
  }
  s += fmt::format("  memory per GPU {:.1f} of {:.1f} GB = 1e9 B (KV cache {:.1f}); at most {} {} fit\n", r.memory.total() / 1e9,
                   r.memory.hbm / 1e9, r.memory.kv_cache / 1e9, r.memory.max_batch, prefill(r) ? "tokens" : "requests");
  s += fmt::format("  expert load max/mean {:.3f} before placement, {:.3f} after\n", r.load_imbalance_before,
                   r.load_imbalance_after);
  return s;
}

namespace {

// Counters, as training traces carry them: the GPU's memory (constant over
// the step) and the SMs its communication kernels hold (prefill's normal
// kernels while an exchange runs; decode's low-latency kernels hold none).
void write_counters(TraceWriter& w, const models::InferenceResult& r, int g) {
  const sim::Time end = sim::from_seconds(r.step_s);
  const auto gb = [](double bytes) { return fmt::format("{:.4g}", bytes / 1e9); };
  const TraceArgs memory{{"weights", gb(r.memory.weights)},
                         {"KV cache", gb(r.memory.kv_cache)},
                         {"activations", gb(r.memory.activations)},
                         {"comm buffers", gb(r.memory.comm_buffers)}};
  w.counter("memory (GB = 1e9 B)", g, 0, memory);
  w.counter("memory (GB = 1e9 B)", g, end, memory);
  std::map<sim::Time, int> running;  // exchanges starting (+1) and ending (-1)
  if (prefill(r))
    for (const models::InferenceTaskRecord& t : r.tasks)
      if (t.gpu == g && t.exchange && t.end > t.start) ++running[t.start], --running[t.end];
  const int comm_sms = prefill(r) ? r.spec.deployment.comm_sms : 0;
  w.counter("SMs held by communication kernels", g, 0, "SMs", 0);
  int level = 0, shown = 0;
  for (const auto& [t, d] : running) {
    level += d;
    const int sms = level > 0 ? comm_sms : 0;
    if (sms != shown) w.counter("SMs held by communication kernels", g, t, "SMs", sms);
    shown = sms;
  }
}

// Flow arrows through each exchange, as training traces draw them: from the
// compute task of its micro-batch that ended last before it to the exchange,
// and from the exchange to the first of that micro-batch's compute tasks
// after it (the kernel that consumes what it moved).
void write_exchange_flows(TraceWriter& w, const models::InferenceResult& r, int g) {
  std::vector<const models::InferenceTaskRecord*> compute;
  for (const models::InferenceTaskRecord& t : r.tasks)
    if (t.gpu == g && !t.exchange && t.end > t.start) compute.push_back(&t);
  for (const models::InferenceTaskRecord& x : r.tasks) {
    if (x.gpu != g || !x.exchange || x.end <= x.start) continue;
    const models::InferenceTaskRecord *before = nullptr, *after = nullptr;
    for (const models::InferenceTaskRecord* c : compute) {
      if (c->micro_batch != x.micro_batch) continue;
      if (c->end <= x.start && (!before || c->end > before->end)) before = c;
      if (c->start >= x.end && (!after || c->start < after->start)) after = c;
    }
    const std::string name = fmt::format("{}(mb{})", x.stage, x.micro_batch);
    if (before) w.flow(name, "exchange", g, 0, before->start, g, 1, x.start);
    if (after) w.flow(name, "exchange", g, 1, x.start, g, 0, after->start);
  }
}

}  // namespace

std::string inference_chrome_trace(const models::InferenceResult& r) {
  TraceWriter w;
  std::vector<int> gpus{0};
  if (r.slowest_gpu != 0) gpus.push_back(r.slowest_gpu);
  for (int g : gpus) {
    w.process_name(g, "GPU " + std::to_string(g));
    w.process_sort_index(g, g);
    if (g == r.slowest_gpu && g != 0) w.process_labels(g, "the busiest GPU");
    w.thread_name(g, 0, "compute");
    w.thread_name(g, 1, prefill(r) ? "comm SMs" : "NIC (bytes on the wire)");
    w.thread_sort_index(g, 0, 0);
    w.thread_sort_index(g, 1, 1);
  }
  for (const models::InferenceTaskRecord& t : r.tasks) {
    if (t.end == t.start && t.exchange) continue;
    w.complete(fmt::format("{}(mb{})", t.stage, t.micro_batch), t.stage, t.gpu, t.exchange ? 1 : 0, t.start, t.end - t.start,
               {{"layer", std::to_string(t.layer)}, {"microbatch", std::to_string(t.micro_batch)}});
  }
  for (int g : gpus) {
    write_counters(w, r, g);
    write_exchange_flows(w, r, g);
  }
  w.top_level("distributedInfo", fmt::format("{{\"backend\":\"v3sim\",\"world_size\":{},\"ep\":{},\"gpus_in_trace\":{}}}",
                                             r.gpus, r.gpus, gpus.size()));
  return w.finish();
}

std::string inference_html_report(const models::Scenario& scenario, const models::InferenceResult& r) {
  const std::string title = scenario.name.empty() ? "v3sim inference step" : scenario.name;
  std::string html = html_page_start(title, scenario.description);
  html += "<table><tr><th>quantity</th><th>value</th></tr>\n";
  auto row = [&](const std::string& k, const std::string& v) { html += "<tr><td>" + html_escape(k) + "</td><td>" + html_escape(v) + "</td></tr>\n"; };
  row("model", r.spec.model.name);
  row("phase", prefill(r) ? "prefill" : "decode");
  row("GPUs (EP)", std::to_string(r.gpus));
  row("step time", fmt::format("{:.3f} ms", r.step_s * 1e3));
  row(prefill(r) ? "input tokens/s per GPU" : "output tokens/s per GPU", fmt::format("{:.0f}", r.tokens_per_s_per_gpu));
  row("tokens/s per node", fmt::format("{:.0f}", r.tokens_per_s_per_node));
  if (!prefill(r)) {
    row("TPOT", fmt::format("{:.2f} ms ({:.1f} tokens/s per request)", r.tpot_s * 1e3, 1 / r.tpot_s));
    if (r.spec.mtp_depth > 0)
      row("without the MTP draft", fmt::format("step {:.3f} ms, {:.0f} tokens/s per GPU, {:.1f} per request", r.step_s_without_mtp * 1e3,
                                               r.tokens_per_s_per_gpu_without_mtp, 1 / r.step_s_without_mtp));
  }
  row("memory per GPU (GB = 10^9 B)", fmt::format("{:.1f} / {:.1f} GB", r.memory.total() / 1e9, r.memory.hbm / 1e9));
  row("expert load max/mean (before, after placement)", fmt::format("{:.3f}, {:.3f}", r.load_imbalance_before, r.load_imbalance_after));
  html += "</table>\n<h2>Stage time per GPU over the step</h2><table><tr><th>stage</th><th>mean ms</th><th>max ms</th></tr>\n";
  for (const models::StageTotal& st : r.stages)
    html += fmt::format("<tr><td>{}</td><td>{:.3f}</td><td>{:.3f}</td></tr>\n", st.stage, st.mean_ms, st.max_ms);
  html += "</table>\n";

  // The whole step, then one MoE layer as DeepSeek draws it: the compute
  // stream over the exchanges, each micro-batch's work labelled.
  html += "<h2>The step on GPU 0" + std::string(r.slowest_gpu != 0 ? " and the busiest GPU" : "") + "</h2>\n";
  // Which GPUs are drawn, and why those.
  html += "<p>GPU 0 runs the program every GPU of the expert-parallel group runs; GPUs differ only in the expert "
          "tokens they receive. " +
          (r.slowest_gpu != 0
               ? fmt::format("GPU {} receives the most (the expert load's max/mean is {:.3f} after placement) and is "
                             "drawn below it: every exchange waits for it, so it sets the step.",
                             r.slowest_gpu, r.load_imbalance_after)
               : std::string("It also receives the most expert tokens, so it sets the step.")) +
          "</p>\n" + inference_legend(r) + "\n" + timeline_controls("step") + "\n";
  TimelineStats stats;
  html += draw_timeline(inference_timeline(r, 0, r.step_s * 1e3, 0, "step"), &stats) + "\n" + aggregation_note(stats);
  const int layer = std::min<int>(r.spec.model.dense_layers + 1, static_cast<int>(r.layer_ms.size()) - 1);
  const auto [lo, hi] = inference_layer_window(r, layer);
  if (hi > lo) {
    html += fmt::format("<h2>Layer {} (GPU 0's window, {:.3f} ms)</h2>\n", layer, hi - lo) + timeline_controls("layer") + "\n";
    Timeline window = inference_timeline(r, lo, hi, 0, "layer");
    window.axis_title = "time from the layer's first task on GPU 0";
    html += draw_timeline(window) + "\n";
  }
  html += "<h2>Shortcuts</h2><ul>\n";
  for (const std::string& red : r.reductions) html += "<li>" + html_escape(red) + "</li>\n";
  html += "</ul>\n";
  return html + html_page_end();
}

}  // namespace v3sim::report
