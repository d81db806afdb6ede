// v3sim calibrate [--inputs FILES...] [--trace TRACE --scenario SCENARIO] --out PROFILE
//                 [--name N] [--hardware GPU] [--base PROFILE]
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <memory>
#include <set>

#include "calibration/calibrate.hpp"
#include "calibration/trace_fit.hpp"
#include "models/training/contention_fit.hpp"
#include "cli/trace_input.hpp"
#include "models/training/kernel_demand.hpp"
#include "models/training/training_step.hpp"
#include "cli/commands.hpp"
#include "cli/json_locator.hpp"
#include "cli/scenario_loader.hpp"
#include "models/hardware.hpp"
#include "models/training/stage_plan.hpp"
#include "report/output_set.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::cli {
namespace {

struct CalibrateArgs {
  std::vector<std::string> inputs;
  std::string trace;
  std::string scenario;
  std::vector<std::string> sets;
  std::string out;
  std::string figures;  // with --trace: where to write the trace's figures
  std::string setting;  // with --figures: what ran (GPU, model, parallelism), kept with the figures
  std::string public_data;  // a partial profile of public numbers for --hardware
  std::string name;  // default: h100-measured for probe files, the base's name for a trace alone
  std::string hardware = "h100";
  std::string base = "h800-published";
};

calibration::ProbeFile load_probe(const std::string& path) {
  std::string text;
  const nlohmann::json doc = read_json_file(path, text);
  try {
    return calibration::read_probe_file(doc, path);
  } catch (const sim::InputError& e) {
    throw InputFailure(path + ":" + std::to_string(line_of_pointer(text, e.pointer())) + ": " + e.pointer() + ": " +
                       e.what());
  }
}

std::string table(const calibration::CalibrationResult& r) {
  std::string s = fmt::format("{:<13} {:<52} {:>12} {:>12} {:>8}  {}\n", "group", "case", "measured", "predicted",
                              "error", "set");
  for (const calibration::CalibrationCase& c : r.cases) {
    const bool factor = c.group == "interference";
    const std::string unit = factor ? "x" : " us";
    const double k = factor ? 1 : 1e6;
    s += fmt::format("{:<13} {:<52} {:>10.3f}{:<2} {:>10.3f}{:<2} {:>+7.1f}%  {}\n", c.group, c.label, c.measured * k, unit,
                     c.predicted * k, unit, 100 * c.relative_error(), c.fitted ? "fitted" : "held out");
  }
  for (const std::string& n : r.notes) s += "note: " + n + "\n";
  return s;
}

const char* form_name(calibration::ClassForm f) {
  switch (f) {
    case calibration::ClassForm::kBandwidth: return "bandwidth";
    case calibration::ClassForm::kScale: return "scale";
    case calibration::ClassForm::kLaunch: return "per launch";
    case calibration::ClassForm::kMechanism: return "mechanism";
  }
  return "";
}

std::string trace_table(const calibration::TraceFit& f) {
  std::string s = fmt::format("{:<19} {:<10} {:>8} {:>8} {:>11} {:>11} {:>11} {:>8}  {}\n", "kernel class", "form",
                              "launches", "(model)", "measured ms", "base ms", "fitted ms", "error", "parameter");
  for (const calibration::ClassFit& c : f.classes) {
    std::string param;
    if (c.status == "fitted") {
      if (c.form == calibration::ClassForm::kScale)
        param = fmt::format("time_scale {:.3f}", c.params.time_scale);
      else if (c.form == calibration::ClassForm::kBandwidth && c.params.gb_per_s < 1e5)
        param = fmt::format("{:.0f} GB/s on {} SMs + {:.2f} us/launch", c.params.gb_per_s, c.params.at_sms,
                            c.params.launch_us);
      else
        param = fmt::format("{:.2f} us/launch", c.params.launch_us);
    } else {
      param = c.status;
    }
    const std::string err = c.status == "fitted" && c.measured_ms > 0
                                ? fmt::format("{:+.1f}%", 100 * (c.fitted_ms / c.measured_ms - 1))
                                : "";
    s += fmt::format("{:<19} {:<10} {:>8} {:>8.0f} {:>11.3f} {:>11.3f} {:>11.3f} {:>8}  {}\n", c.cls, form_name(c.form),
                     c.trace_launches, c.model_launches, c.measured_ms, c.base_ms, c.fitted_ms, err, param);
  }
  s += fmt::format("{:<19} {:<10} {:>8}          {:>11}  per-launch {:.2f} us; per layer pair:", "elementwise",
                   "per launch", "", "", f.elementwise_launch_us);
  for (const auto& [k, n] : f.framework_launches) s += fmt::format(" {} {}", k, n);
  s += "\n(per layer pair; 'base' is the shape model before this fit)\n";
  for (const std::string& n : f.notes) s += "note: " + n + "\n";
  return s;
}

// DeepGEMM's table prices these standalone (calibration/reference/deepgemm_h800.json).
const std::set<std::string> kStandaloneReferences = {"gemm_fp8", "gemm_grouped"};

std::string contention_table(const models::ContentionFit& c, const calibration::Profile& p) {
  std::string s = fmt::format(
      "\ncontention (measured on the trace's kernels): beside communication x{:.3f}, main beside second stream "
      "x{:.3f}, second beside main x{:.3f}\nin the simulated pair the main compute stream is stretched x{:.3f}, the "
      "second x{:.3f}; refitted classes within {:.2f}% of the trace; the FP8 GEMMs' standalone time_scale (DeepGEMM's "
      "table = 1) {:.3f}\n",
      p.overlap_compute_slowdown, p.main_beside_second_slowdown, p.second_beside_main_slowdown, c.compute_stretch,
      c.second_stream_stretch, 100 * c.worst_class_error, c.reference_scale);
  s += fmt::format("{:<20}{:>12}{:>12}{:>10}\n", "kernel class", "in pair", "standalone", "stretch");
  for (const models::ContentionClass& k : c.classes)
    if (k.stretch >= 1.0005) s += fmt::format("{:<20}{:>12.4g}{:>12.4g}{:>10.3f}\n", k.cls, k.in_pair, k.standalone, k.stretch);
  s += "(parameters: time_scale, GB/s or us per launch, as the class is costed)\n";
  return s;
}

// Fits the kernel classes a profiler trace covers into `p`, on the shapes
// of `scenario_path`.
void fit_from_trace(const CalibrateArgs& a, calibration::Profile& p) {
  const TraceInput trace = load_trace_input(a.trace);
  const calibration::TraceSummary& summary = trace.figures.summary;
  models::Scenario s = load_training_scenario(a.scenario, a.sets, false);
  s.training->profile = p;
  s.training->profile.kernel_classes.clear();
  s.training->profile.framework_launches.clear();
  const models::TrainingResult base = models::simulate_training(*s.cluster, *s.training);
  const models::LayerDemand demand = models::layer_pair_demand(*s.training, s.cluster->gpu, base.phase_time);
  const std::string source =
      trace.trace ? fmt::format("fit of profiler trace {} ({} kernels, {} layer pairs) on the shapes of {}", a.trace,
                                trace.kernels, summary.layer_pairs, a.scenario)
                  : fmt::format("fit of the figures of {} ({} layer pairs) on the shapes of {}", trace.figures.source,
                                summary.layer_pairs, a.scenario);
  const calibration::TraceFit fit = calibration::fit_trace(summary, demand.classes, demand.base_ms, source);
  calibration::apply_trace_fit(fit, p, source);
  if (trace.trace)
    for (const std::string& w : trace.trace->warnings) std::cout << "warning: " << w << "\n";
  std::cout << trace_table(fit);
  // The closed-form rates are the pair's. The engine simulates the pair's
  // contention with factors read off the trace's own kernels, so the
  // compute classes become standalone rates.
  const calibration::TraceContention& tc = summary.contention;
  auto set_factor = [&](const char* name, double& value, const calibration::SlowdownReading& r, const char* what) {
    if (!r.usable()) {
      if (r.kernels > 0)
        std::cout << fmt::format("note: {} read x{:.3f} from only {} kernels ({} instances): not used, too few\n", name,
                                 r.ratio, r.kernels, r.instances);
      return;
    }
    value = std::max(1.0, r.ratio);
    p.provenance[name] = {source, fmt::format("{}: time-weighted over {} kernels seen both ways ({} instances; "
                                              "calibration/trace_contention.hpp)",
                                              what, r.kernels, r.instances)};
  };
  set_factor("overlap_compute_slowdown", p.overlap_compute_slowdown, tc.beside_comm,
             "compute kernels beside a communication kernel against alone");
  set_factor("main_beside_second_slowdown", p.main_beside_second_slowdown, tc.main_beside_second,
             "main-stream kernels beside the second compute stream's against beside communication only");
  set_factor("second_beside_main_slowdown", p.second_beside_main_slowdown, tc.second_beside_main,
             "second-stream kernels beside the main stream's against beside communication only");
  // The host's cost to issue a kernel, as the trace's launching threads
  // spent it (the pair's step then knows when the host holds the GPU back).
  auto set_host = [&](const char* name, double& value, double us, const char* thread) {
    if (us <= 0) return;
    value = us;
    p.provenance[name] = {source, fmt::format("busy framework-op time of the {} per kernel it launched; a lower "
                                              "bound (interpreter time between ops is not in the trace's op events)",
                                              thread)};
  };
  set_host("host_forward_us_per_launch", p.host_forward_us_per_launch, summary.host_forward_us_per_launch,
           "threads launching forward kernels");
  set_host("host_backward_us_per_launch", p.host_backward_us_per_launch, summary.host_backward_us_per_launch,
           "backward's launching thread (autograd's)");
  s.training->profile = p;
  const models::ContentionFit c =
      models::fit_under_contention(*s.cluster, *s.training, summary, fit, demand.classes, kStandaloneReferences, p);
  std::cout << contention_table(c, p);
}

// The figures calibration keeps of a trace, written where a user can keep
// them instead of the trace.
void write_figures(const CalibrateArgs& a) {
  const TraceInput trace = load_trace_input(a.trace);
  calibration::TraceFigures f = trace.figures;
  if (trace.trace) f.source = fmt::format("figures of profiler trace {} ({} kernels)", a.trace, trace.kernels);
  if (!a.setting.empty()) f.setting = a.setting;
  try {
    report::write_file_atomically(std::filesystem::path(a.figures),
                                  calibration::trace_figures_to_json(f).dump(2) + "\n");
  } catch (const std::runtime_error& e) {
    throw InputFailure(e.what());
  }
  std::cout << "wrote " << a.figures << "\n";
}

// --public: the base carried to --hardware by the stated rule, the public
// numbers of the file over the rule's (models::profile_from_public_data).
void write_public_profile(const CalibrateArgs& a) {
  if (a.out.empty()) throw InputFailure("calibrate: --public needs --out PROFILE.json");
  if (!a.inputs.empty() || !a.trace.empty()) throw InputFailure("calibrate: --public takes no --inputs or --trace");
  std::string text;
  const nlohmann::json doc = read_json_file(a.public_data, text);
  calibration::Profile p;
  try {
    const models::GpuPreset gpu = models::gpu_preset(a.hardware, nlohmann::json::object(), "--hardware");
    const calibration::Profile base = calibration::load_profile(a.base, "--base");
    p = models::profile_from_public_data(base, gpu, doc, a.name.empty() ? a.hardware + "-published" : a.name);
  } catch (const sim::InputError& e) {
    if (e.pointer().rfind("--", 0) == 0) throw InputFailure(e.pointer() + ": " + e.what());
    throw InputFailure(a.public_data + ":" + std::to_string(line_of_pointer(text, e.pointer())) + ": " + e.pointer() +
                       ": " + e.what());
  }
  try {
    report::write_file_atomically(std::filesystem::path(a.out), calibration::profile_to_json(p).dump(2) + "\n");
  } catch (const std::runtime_error& e) {
    throw InputFailure(e.what());
  }
  std::cout << "wrote " << a.out << "\n";
}

void calibrate(const CalibrateArgs& a) {
  if (!a.public_data.empty()) return write_public_profile(a);
  if (a.inputs.empty() && a.trace.empty()) throw InputFailure("calibrate: expected --inputs PROBE.json... or --trace");
  if (!a.figures.empty() && a.trace.empty()) throw InputFailure("calibrate: --figures needs --trace");
  if (a.out.empty() && a.figures.empty()) throw InputFailure("calibrate: expected --out PROFILE.json");
  if (!a.out.empty() && !a.trace.empty() && a.scenario.empty())
    throw InputFailure("calibrate: --trace needs --scenario (the scenario whose shapes the trace ran)");
  if (!a.figures.empty()) write_figures(a);
  if (a.out.empty()) return;
  if (!a.trace.empty() && a.scenario.empty())
    throw InputFailure("calibrate: --trace needs --scenario (the scenario whose shapes the trace ran)");
  std::vector<calibration::ProbeFile> files;
  for (const std::string& path : a.inputs) files.push_back(load_probe(path));
  models::GpuPreset gpu;
  calibration::Profile base;
  try {
    gpu = models::gpu_preset(a.hardware, nlohmann::json::object(), "--hardware");
    base = calibration::load_profile(a.base, "--base");
  } catch (const sim::InputError& e) {
    throw InputFailure(e.pointer() + ": " + e.what());
  }
  calibration::CalibrationResult r;
  r.profile = base;
  if (!files.empty()) {
    calibration::DeviceRates d = models::device_rates(gpu);
    d.total_sms = files.front().device.sms;  // the SMs the probes saw
    try {
      r = calibration::calibrate(files, d, base, a.name.empty() ? "h100-measured" : a.name, a.hardware);
    } catch (const std::invalid_argument& e) {
      throw InputFailure(std::string("cannot fit: ") + e.what());
    }
  } else {
    r.profile.name = a.name.empty() ? base.name : a.name;
  }
  if (!a.trace.empty()) fit_from_trace(a, r.profile);
  const std::filesystem::path out(a.out);
  try {
    report::write_file_atomically(out, calibration::profile_to_json(r.profile).dump(2) + "\n");
  } catch (const std::runtime_error& e) {
    throw InputFailure(e.what());
  }
  if (!files.empty()) std::cout << table(r);
  std::cout << "wrote " << a.out << "\n";
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
  auto args = std::make_shared<CalibrateArgs>();
  CLI::App* cmd = app.add_subcommand("calibrate", "Fit a calibration profile to cuda_probes/ output (docs/calibration.md)");
  cmd->add_option("--inputs", args->inputs, "Probe JSON files");
  cmd->add_option("--trace", args->trace, "PyTorch profiler (Kineto) trace, JSON or gzip: fits its kernel classes");
  cmd->add_option("--scenario", args->scenario, "With --trace: the training scenario whose shapes the trace ran");
  cmd->add_option("--set", args->sets, "With --scenario: override a field, /json/pointer=value (repeatable)")->allow_extra_args(false);
  cmd->add_option("--out", args->out, "Profile JSON to write");
  cmd->add_option("--figures", args->figures,
                  "With --trace: write the figures calibration keeps of the trace (span, busy, components, classes)");
  cmd->add_option("--setting", args->setting,
                  "With --figures: what the trace ran (GPU, model, parallelism), written with the figures");
  cmd->add_option("--public", args->public_data,
                  "With --hardware and --out: --base carried to that GPU by the stated rule, with the public numbers of "
                  "this partial profile over the rule's");
  cmd->add_option("--name", args->name, "Profile name")->capture_default_str();
  cmd->add_option("--hardware", args->hardware, "GPU preset the probes ran on (its peaks)")->capture_default_str();
  cmd->add_option("--base", args->base, "Profile whose values stand where the probes measure nothing")->capture_default_str();
  cmd->callback([args] { calibrate(*args); });
}

}  // namespace v3sim::cli
