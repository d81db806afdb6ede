#include "calibration/trace_fit.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace v3sim::calibration {
namespace {

constexpr double kLaunchBound = 1e6;  // GB/s standing for "no byte-bound term"

}  // namespace

TraceFit fit_trace(const TraceSummary& summary, const std::vector<ClassDemand>& demand,
                   const std::map<std::string, double>& base_ms, const std::string& source) {
  TraceFit fit;
  const double pairs = std::max(1, summary.layer_pairs);
  fit.launch_us = summary.tiny_kernel_us;
  fit.notes.push_back(fmt::format("common per-launch time {:.2f} us: median of the trace's kernels with <= 32 blocks",
                                  fit.launch_us));
  std::map<std::string, bool> seen;
  for (const ClassDemand& d : demand) {
    ClassFit c;
    c.cls = d.cls;
    c.form = d.form;
    c.model_launches = d.launches;
    seen[d.cls] = true;
    if (auto it = base_ms.find(d.cls); it != base_ms.end()) c.base_ms = it->second;
    const auto m = summary.kernel_classes.find(d.cls);
    if (m == summary.kernel_classes.end() || m->second <= 0) {
      c.status = "not in the trace";
      c.fitted_ms = c.base_ms;
      fit.classes.push_back(c);
      continue;
    }
    c.measured_ms = m->second / pairs;
    c.trace_launches = static_cast<int>(std::lround(summary.class_launches.at(d.cls) / pairs));
    const double measured_us = c.measured_ms * 1e3;
    KernelClassParams& k = c.params;
    k.provenance.source = source;
    switch (d.form) {
      case ClassForm::kBandwidth: {
        const double moving = measured_us - d.launches * fit.launch_us;
        k.at_sms = d.sms;
        if (moving <= 0 || d.bytes <= 0) {
          k.launch_us = measured_us / std::max(1.0, d.launches);
          k.gb_per_s = kLaunchBound;
          k.provenance.note = "launch-bound in the trace: time per launch only";
        } else {
          k.launch_us = fit.launch_us;
          k.gb_per_s = d.bytes / (moving * 1e-6) / 1e9;
          k.provenance.note = fmt::format("{:.0f} MB per layer pair on {} SMs, {} launches", d.bytes / 1e6, d.sms,
                                          d.launches);
        }
        c.fitted_ms = (d.launches * k.launch_us + d.bytes / (k.gb_per_s * 1e9) * 1e6) / 1e3;
        break;
      }
      case ClassForm::kScale:
        k.time_scale = measured_us / std::max(1e-9, d.model_seconds * 1e6);
        k.provenance.note = fmt::format("trace time over the model's {:.3f} ms per layer pair", d.model_seconds * 1e3);
        c.fitted_ms = d.model_seconds * k.time_scale * 1e3;
        break;
      case ClassForm::kMechanism:
        k.launch_us = fit.launch_us;
        k.provenance.note = "not fitted: a launch at the trace's common launch time; the rest of the class's time is "
                            "simulated (docs/ep-communication.md)";
        c.fitted_ms = d.launches * k.launch_us / 1e3;
        break;
      case ClassForm::kLaunch:
        k.launch_us = measured_us / std::max(1.0, d.launches);
        k.provenance.note = fmt::format("trace time over the model's {} launches per layer pair", d.launches);
        c.fitted_ms = d.launches * k.launch_us / 1e3;
        break;
    }
    c.status = d.form == ClassForm::kMechanism ? "mechanism" : "fitted";
    fit.classes.push_back(c);
  }
  // The framework's element-wise kernels: counted per component, costed per launch.
  const auto n = summary.class_launches.find("elementwise");
  const auto ms = summary.kernel_classes.find("elementwise");
  if (n != summary.class_launches.end() && n->second > 0 && ms != summary.kernel_classes.end()) {
    fit.elementwise_launch_us = ms->second * 1e3 / n->second;
    for (const auto& [key, c] : summary.elementwise_launches)
      fit.framework_launches[key] = static_cast<int>(std::lround(c / pairs));
  }
  // What the trace has that the model does not.
  for (const auto& [cls, ms] : summary.kernel_classes) {
    if (seen.count(cls) || cls == "elementwise") continue;
    ClassFit c;
    c.cls = cls;
    c.measured_ms = ms / pairs;
    c.trace_launches = static_cast<int>(std::lround(summary.class_launches.at(cls) / pairs));
    c.status = "not modelled";
    fit.classes.push_back(c);
  }
  return fit;
}

void apply_trace_fit(const TraceFit& fit, Profile& p, const std::string& source) {
  for (const ClassFit& c : fit.classes)
    if (c.status == "fitted" || c.status == "mechanism") p.kernel_classes[c.cls] = c.params;
  if (!fit.framework_launches.empty()) {
    KernelClassParams e;
    e.launch_us = fit.elementwise_launch_us;
    e.provenance = {source, "the framework's small element-wise kernels: mean duration per launch"};
    p.kernel_classes["elementwise"] = e;
    p.framework_launches = fit.framework_launches;
    p.framework_launches_provenance = {source, "element-wise kernels per layer pair, counted per component annotation"};
  }
}

}  // namespace v3sim::calibration
