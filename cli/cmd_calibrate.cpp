// v3sim calibrate --inputs FILES... --out PROFILE [--name N] [--hardware GPU] [--base PROFILE]
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "calibration/calibrate.hpp"
#include "cli/commands.hpp"
#include "cli/json_locator.hpp"
#include "cli/scenario_loader.hpp"
#include "models/hardware.hpp"
#include "models/training/stage_plan.hpp"
#include "report/atomic_file.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::cli {
namespace {

struct CalibrateArgs {
  std::vector<std::string> inputs;
  std::string out;
  std::string name = "h100-measured";
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

void calibrate(const CalibrateArgs& a) {
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
  calibration::DeviceRates d = models::device_rates(gpu);
  d.total_sms = files.front().device.sms;  // the SMs the probes saw
  calibration::CalibrationResult r;
  try {
    r = calibration::calibrate(files, d, base, a.name, a.hardware);
  } catch (const std::invalid_argument& e) {
    throw InputFailure(std::string("cannot fit: ") + e.what());
  }
  const std::filesystem::path out(a.out);
  try {
    report::write_files_atomically(out.has_parent_path() ? out.parent_path() : ".",
                                   {{out.filename().string(), calibration::profile_to_json(r.profile).dump(2) + "\n"}});
  } catch (const std::runtime_error& e) {
    throw InputFailure(e.what());
  }
  std::cout << table(r) << "wrote " << a.out << "\n";
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
  auto args = std::make_shared<CalibrateArgs>();
  CLI::App* cmd = app.add_subcommand("calibrate", "Fit a calibration profile to cuda_probes/ output (docs/calibration.md)");
  cmd->add_option("--inputs", args->inputs, "Probe JSON files")->required();
  cmd->add_option("--out", args->out, "Profile JSON to write")->required();
  cmd->add_option("--name", args->name, "Profile name")->capture_default_str();
  cmd->add_option("--hardware", args->hardware, "GPU preset the probes ran on (its peaks)")->capture_default_str();
  cmd->add_option("--base", args->base, "Profile whose values stand where the probes measure nothing")->capture_default_str();
  cmd->callback([args] { calibrate(*args); });
}

}  // namespace v3sim::cli
