#include "models/training/contention_fit.hpp"

#include <cmath>
#include <fmt/format.h>

#include "models/training/chunk_pair_summary.hpp"
#include "models/training/training_step.hpp"

namespace v3sim::models {
namespace {

constexpr int kMaxRounds = 8;
constexpr double kConverged = 1e-4;  // relative, per class
constexpr double kStretched = 1.0005;  // a class slowed in the pair at all

double at(const std::map<std::string, double>& m, const std::string& k) {
  const auto it = m.find(k);
  return it == m.end() ? 0 : it->second;
}

struct Refitted {
  calibration::Profile profile;
  ChunkPairSummary pair;
  double worst = 0;
};

class Refitter {
 public:
  Refitter(const ClusterConfig& cluster, const TrainingSpec& spec, const calibration::TraceSummary& trace,
           const calibration::TraceFit& fit, const std::vector<calibration::ClassDemand>& demand)
      : cluster_(cluster), spec_(spec), trace_(trace) {
    for (const calibration::ClassFit& c : fit.classes)
      if (c.status == "fitted") forms_[c.cls] = c.form;
    for (const calibration::ClassDemand& d : demand) demand_[d.cls] = d;
  }

  // Each refitted class's parameter moved until the simulated pair, its
  // kernels slowed by the profile's contention factors, gives the trace's
  // time for it (a fixed point: a class's rate changes what runs beside the
  // others, so a few rounds).
  Refitted refit() const {
    Refitted out{spec_.profile, {}, 0};
    for (int round = 0; round < kMaxRounds; ++round) {
      TrainingSpec s = spec_;
      s.profile = out.profile;
      out.pair = summarize_chunk_pair(simulate_training(cluster_, s));
      out.worst = 0;
      for (const auto& [cls, form] : forms_) {
        const double sim = at(out.pair.kernel_classes, cls), real = at(trace_.kernel_classes, cls);
        if (sim <= 0 || real <= 0) continue;
        out.worst = std::max(out.worst, std::fabs(sim / real - 1));
        move(out.profile.kernel_classes[cls], cls, form, sim, real);
      }
      const double sim = at(out.pair.kernel_classes, "elementwise"), real = at(trace_.kernel_classes, "elementwise");
      if (sim > 0 && real > 0 && out.profile.kernel_classes.count("elementwise")) {
        out.worst = std::max(out.worst, std::fabs(sim / real - 1));
        out.profile.kernel_classes["elementwise"].launch_us *= real / sim;
      }
      if (out.worst < kConverged) break;
    }
    return out;
  }

  // The class's time alone over the region, at parameters `k`.
  double alone_ms(const std::string& cls, calibration::ClassForm form, const calibration::KernelClassParams& k) const {
    const auto d = demand_.find(cls);
    if (d == demand_.end()) return 0;
    const double pairs = std::max(1, trace_.layer_pairs);
    switch (form) {
      case calibration::ClassForm::kScale: return pairs * d->second.model_seconds * 1e3 * k.time_scale;
      case calibration::ClassForm::kLaunch: return pairs * d->second.launches * k.launch_us / 1e3;
      case calibration::ClassForm::kBandwidth:
        return pairs * (d->second.launches * k.launch_us / 1e3 + d->second.bytes / (k.gb_per_s * 1e9) * 1e3);
      case calibration::ClassForm::kMechanism: return 0;
    }
    return 0;
  }

  const std::map<std::string, calibration::ClassForm>& forms() const { return forms_; }

 private:
  // One class's parameter, moved so that its simulated time `sim` becomes
  // `real` at the stretch it saw.
  void move(calibration::KernelClassParams& k, const std::string& cls, calibration::ClassForm form, double sim,
            double real) const {
    switch (form) {
      case calibration::ClassForm::kScale: k.time_scale *= real / sim; return;
      case calibration::ClassForm::kLaunch: k.launch_us *= real / sim; return;
      case calibration::ClassForm::kBandwidth: {
        // Only the byte term moves; the launch time is the trace's common one.
        const double alone = alone_ms(cls, form, k);
        const auto d = demand_.find(cls);
        if (alone <= 0 || d == demand_.end() || d->second.bytes <= 0) {
          k.launch_us *= real / sim;
          return;
        }
        const double pairs = std::max(1, trace_.layer_pairs);
        const double moving_ms = real / (sim / alone) / pairs - d->second.launches * k.launch_us / 1e3;
        if (moving_ms > 0)
          k.gb_per_s = d->second.bytes / (moving_ms / 1e3) / 1e9;
        else
          k.launch_us *= real / sim;
        return;
      }
      case calibration::ClassForm::kMechanism: return;
    }
  }

  const ClusterConfig& cluster_;
  const TrainingSpec& spec_;
  const calibration::TraceSummary& trace_;
  std::map<std::string, calibration::ClassForm> forms_;
  std::map<std::string, calibration::ClassDemand> demand_;
};

double reference_scale(const calibration::Profile& p, const std::set<std::string>& references) {
  double log_sum = 0;
  int n = 0;
  for (const std::string& c : references)
    if (p.kernel_classes.count(c)) {
      log_sum += std::log(p.kernel_classes.at(c).time_scale);
      ++n;
    }
  return n ? std::exp(log_sum / n) : 1;
}

}  // namespace

ContentionFit fit_under_contention(const ClusterConfig& cluster, const TrainingSpec& spec,
                                   const calibration::TraceSummary& trace, const calibration::TraceFit& fit,
                                   const std::vector<calibration::ClassDemand>& demand,
                                   const std::set<std::string>& references, calibration::Profile& profile) {
  const Refitter refitter(cluster, spec, trace, fit, demand);
  const Refitted best = refitter.refit();
  ContentionFit out;
  out.compute_stretch = best.pair.compute_stretch;
  out.second_stream_stretch = best.pair.second_stream_stretch;
  out.reference_scale = reference_scale(best.profile, references);
  out.worst_class_error = best.worst;
  for (const auto& [cls, form] : refitter.forms()) {
    const calibration::KernelClassParams &before = spec.profile.kernel_class(cls), &after = best.profile.kernel_class(cls);
    const calibration::ClassForm f = form;  // (a structured binding is not capturable before C++20's fix in clang 16)
    auto param = [f](const calibration::KernelClassParams& k) {
      return f == calibration::ClassForm::kScale ? k.time_scale
             : f == calibration::ClassForm::kBandwidth && k.gb_per_s < 1e5 ? k.gb_per_s
                                                                                : k.launch_us;
    };
    const double alone = refitter.alone_ms(cls, form, after);
    out.classes.push_back({cls, param(before), param(after), alone > 0 ? at(best.pair.kernel_classes, cls) / alone : 1});
    if (out.classes.back().stretch < kStretched) continue;  // not slowed in the pair (communication): as fitted
    calibration::KernelClassParams k = after;
    k.provenance.note = fmt::format("{}; standalone: the pair's rate over its simulated stretch {:.3f} (contention fit)",
                                    before.provenance.note, out.classes.back().stretch);
    profile.kernel_classes[cls] = k;
  }
  if (best.profile.kernel_classes.count("elementwise"))
    profile.kernel_classes["elementwise"].launch_us = best.profile.kernel_classes.at("elementwise").launch_us;
  return out;
}

}  // namespace v3sim::models
