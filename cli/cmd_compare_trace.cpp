// v3sim compare-trace SCENARIO TRACE [--set ...] [--out DIR]: a chunk_pair
// scenario simulated and held against a profiler trace of the real pair.
#include <iostream>
#include <memory>
#include <set>

#include "cli/commands.hpp"
#include "cli/scenario_loader.hpp"
#include "cli/trace_input.hpp"
#include "models/training/chunk_pair_summary.hpp"
#include "report/output_set.hpp"
#include "report/trace_compare_report.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::cli {
namespace {

struct CompareTraceArgs {
  std::string scenario;
  std::string trace;
  std::vector<std::string> sets;
  std::string out;
};

void add_maps(report::TraceComparison& c, const std::string& group, const std::map<std::string, double>& measured,
              const std::map<std::string, double>& simulated) {
  std::set<std::string> keys;
  for (const auto& [k, v] : measured) keys.insert(k);
  for (const auto& [k, v] : simulated) keys.insert(k);
  for (const std::string& k : keys) {
    report::ComparedQuantity q{group, k};
    const auto m = measured.find(k), s = simulated.find(k);
    q.measured_present = m != measured.end();
    q.simulated_present = s != simulated.end();
    q.measured_ms = q.measured_present ? m->second : 0;
    q.simulated_ms = q.simulated_present ? s->second : 0;
    if (q.measured_ms == 0 && q.simulated_ms == 0) continue;
    c.quantities.push_back(q);
  }
}

int row_of(calibration::StreamRole r) {
  return r == calibration::StreamRole::kSecondCompute ? 1 : r == calibration::StreamRole::kComm ? 2 : 0;
}

}  // namespace

report::TraceComparison compare_with_trace(const models::Scenario& s, const TraceInput& in,
                                           const std::string& scenario_label) {
  const models::TrainingResult r = models::simulate_training(*s.cluster, *s.training);
  const models::ChunkPairSummary sim = models::summarize_chunk_pair(r);
  const calibration::TraceSummary& real = in.figures.summary;
  report::TraceComparison c;
  c.scenario = scenario_label;
  c.trace = in.figures.source;
  c.quantities.push_back({"pair", "span", real.span_ms, sim.span_ms});
  c.quantities.push_back({"pair", "compute busy", real.compute_busy_ms, sim.compute_busy_ms});
  c.quantities.push_back({"pair", "comm busy", real.comm_busy_ms, sim.comm_busy_ms});
  c.quantities.push_back({"pair", "layer pairs", static_cast<double>(real.layer_pairs), static_cast<double>(sim.layer_pairs)});
  add_maps(c, "component", real.components, sim.components);
  add_maps(c, "kernel class", real.kernel_classes, sim.kernel_classes);
  // A figures file has no kernels: the measured timeline stays empty.
  static const calibration::ProfilerTrace kNoKernels;
  const calibration::ProfilerTrace& trace = in.trace ? *in.trace : kNoKernels;
  const double t0 = trace.kernels.empty() ? 0 : trace.kernels.front().start_us;
  for (const calibration::TraceKernel& k : trace.kernels) {
    const auto role = trace.streams.count(k.stream) ? trace.streams.at(k.stream) : calibration::StreamRole::kOther;
    std::string comp, label = k.kernel_class;
    if (k.annotation >= 0) {
      const calibration::TraceAnnotation& a = trace.annotations[static_cast<std::size_t>(k.annotation)];
      comp = a.component;
      label = a.name + " " + k.kernel_class;
    }
    c.measured.push_back({row_of(role), (k.start_us - t0) / 1e3, (k.start_us + k.dur_us - t0) / 1e3, comp, label});
  }
  const models::OpRecord& pair = r.pipeline.ranks.at(0).ops.at(1);
  for (const models::ComponentRecord& rec : r.components) {
    if (rec.op != 1 || rec.rank != 0 || rec.end <= rec.start) continue;
    const std::string label = models::component_label(rec.component, rec.pass);
    const std::string comp = label.substr(0, label.find('('));
    c.simulated.push_back({rec.comm ? 2 : rec.second_stream ? 1 : 0, sim::to_seconds(rec.start - pair.start) * 1e3,
                           sim::to_seconds(rec.end - pair.start) * 1e3, comp, label});
  }
  return c;
}

namespace {

void compare_trace(const CompareTraceArgs& a) {
  const models::Scenario s = load_training_scenario(a.scenario, a.sets, true);
  const TraceInput trace = load_trace_input(a.trace);
  const report::TraceComparison c = compare_with_trace(s, trace, a.scenario);
  if (trace.trace)
    for (const std::string& w : trace.trace->warnings) std::cout << "warning: " << w << "\n";
  std::cout << report::trace_compare_table(c);
  if (a.out.empty()) return;
  try {
    report::publish_output_set(a.out, {{"compare.json", report::trace_compare_json(c).dump(2) + "\n"},
                                           {"compare.html", report::trace_compare_html(c)}});
  } catch (const std::runtime_error& e) {
    throw InputFailure(e.what());
  }
  std::cout << "wrote " << a.out << "/{compare.json,compare.html}\n";
}

}  // namespace

void add_compare_trace_command(CLI::App& app) {
  auto args = std::make_shared<CompareTraceArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare-trace", "Simulate a chunk_pair scenario and compare it with a profiler trace of the real pair");
  cmd->add_option("scenario", args->scenario, "Scenario JSON file (schedule kind chunk_pair)")->required();
  cmd->add_option("trace", args->trace, "PyTorch profiler (Kineto) trace, JSON or gzip, or its figures (calibrate --figures)")->required();
  cmd->add_option("--set", args->sets, "Override a field: /json/pointer=value (repeatable)")->allow_extra_args(false);
  cmd->add_option("--out", args->out, "Directory for compare.json and compare.html");
  cmd->callback([args] { compare_trace(*args); });
}

}  // namespace v3sim::cli
