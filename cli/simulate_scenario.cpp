#include "cli/simulate_scenario.hpp"

#include "cli/commands.hpp"
#include "cli/json_locator.hpp"
#include "cli/scenario_loader.hpp"
#include "models/scale_limits.hpp"
#include "models/simulate.hpp"
#include "report/chrome_trace.hpp"
#include "report/ep_report.hpp"
#include "report/html_report.hpp"
#include "report/inference_report.hpp"
#include "report/serving_report.hpp"
#include "report/summary_json.hpp"
#include "report/terminal_table.hpp"
#include "report/training_report.hpp"
#include "sim/engine.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::cli {
namespace {

ScenarioOutputs ep(const models::Scenario& s, bool timing, bool files) {
  const models::EpResult r = models::simulate_ep_alltoall(*s.cluster, *s.ep_alltoall);
  ScenarioOutputs o{report::ep_summary_json(s, r, timing), report::ep_terminal_summary(s, r), {}, {}};
  if (files)
    o.files = {{"summary.json", o.summary.dump(2) + "\n"},
               {"trace.json", report::ep_chrome_trace(r)},
               {"report.html", report::ep_html_report(s, r)}};
  return o;
}

ScenarioOutputs training(const models::Scenario& s, bool timing, bool files) {
  const models::TrainingResult r = models::simulate_training(*s.cluster, *s.training);
  ScenarioOutputs o{report::training_summary_json(s, r, timing), report::training_terminal_summary(s, r), r.warnings, {}};
  if (files)
    o.files = {{"summary.json", o.summary.dump(2) + "\n"},
               {"trace.json", report::training_chrome_trace(r)},
               {"report.html", report::training_html_report(s, r)}};
  return o;
}

ScenarioOutputs inference(const models::Scenario& s, bool timing, bool files) {
  const models::InferenceResult r = models::simulate_inference(*s.cluster, *s.inference);
  ScenarioOutputs o{report::inference_summary_json(s, r, timing), report::inference_terminal_summary(s, r), r.warnings, {}};
  if (files)
    o.files = {{"summary.json", o.summary.dump(2) + "\n"},
               {"trace.json", report::inference_chrome_trace(r)},
               {"report.html", report::inference_html_report(s, r)}};
  return o;
}

ScenarioOutputs serving(const models::Scenario& s, bool timing, bool files) {
  const models::ServingResult r = models::simulate_serving(*s.serving);
  ScenarioOutputs o{report::serving_summary_json(s, r, timing), report::serving_terminal_summary(s, r), {}, {}};
  if (files)
    o.files = {{"summary.json", o.summary.dump(2) + "\n"},
               {"trace.json", report::serving_chrome_trace(r)},
               {"report.html", report::serving_html_report(s, r)}};
  return o;
}

ScenarioOutputs abstract(const models::Scenario& s, bool timing, bool files) {
  const models::PipelineResult r = models::simulate(s);
  report::SummaryOptions opt;
  opt.host_timing = timing;
  ScenarioOutputs o{report::summary_json(s, r, opt), report::terminal_summary(s, r), {}, {}};
  if (files)
    o.files = {{"summary.json", o.summary.dump(2) + "\n"},
               {"trace.json", report::chrome_trace(r)},
               {"report.html", report::html_report(s, r)}};
  return o;
}

}  // namespace

ScenarioOutputs simulate_scenario(const models::Scenario& s, const std::string& label, bool host_timing,
                                  bool render_files, const std::string& text) {
  try {
    models::check_scale(s, size_limits());
    if (s.training) return training(s, host_timing, render_files);
    if (s.ep_alltoall) return ep(s, host_timing, render_files);
    if (s.inference) return inference(s, host_timing, render_files);
    if (s.serving) return serving(s, host_timing, render_files);
    if (!s.has_pipeline)
      throw InputFailure(label + ": /schedule: missing required field 'schedule' (a cluster alone is not simulated; "
                                 "`v3sim topology` builds it)");
    return abstract(s, host_timing, render_files);
  } catch (const sim::InputError& e) {
    const std::string line = text.empty() ? "" : ":" + std::to_string(line_of_pointer(text, e.pointer()));
    throw InputFailure(label + line + ": " + e.pointer() + ": " + e.what());
  } catch (const sim::TimeRangeError& e) {
    throw InputFailure(label + ": " + e.what() + "; the inputs give times too long to simulate");
  } catch (const sim::DeadlockError& e) {
    throw SimulationFailure(label + ": " + e.what());
  }
}

}  // namespace v3sim::cli
