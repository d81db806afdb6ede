#include "calibration/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "calibration/gemm_fit.hpp"
#include "calibration/rate_fit.hpp"

namespace v3sim::calibration {
namespace {

// Interior SM counts whose transfer cases are held out of the rate fits.
bool held_out_sms(int sms) { return sms == 12 || sms == 48; }

std::string files_of(const std::vector<ProbeFile>& files) {
  std::string s;
  for (const ProbeFile& f : files) s += (s.empty() ? "" : ", ") + f.path;
  return s;
}

struct Summary {
  int fitted = 0, held = 0;
  double fitted_max = 0, held_max = 0;
  void add(const CalibrationCase& c) {
    (c.fitted ? fitted : held)++;
    double& m = c.fitted ? fitted_max : held_max;
    m = std::max(m, std::abs(c.relative_error()));
  }
  std::string text() const {
    return fmt::format("{} cases fitted, max |error| {:.1f}%; {} held out, max |error| {:.1f}%", fitted,
                       100 * fitted_max, held, 100 * held_max);
  }
};

class Calibrator {
 public:
  Calibrator(const std::vector<ProbeFile>& files, const DeviceRates& d, const Profile& base)
      : files_(files), d_(d), r_{base, {}, {}} {
    for (const ProbeFile& f : files) {
      device_ = f.device.name;
      date_ = std::max(date_, f.date);
    }
  }

  CalibrationResult run(const std::string& name, const std::string& hardware) {
    r_.profile.name = name;
    r_.profile.hardware = hardware;
    gemm();
    transfers("comm");
    transfers("hbm");
    interference();
    r_.profile.description = "Fitted by v3sim calibrate from probe files (" + files_of(files_) + ") measured on " +
                             device_ + " on " + date_ + ". Parameters the probes do not measure keep the base profile's values and sources.";
    return r_;
  }

 private:
  std::string source(const Summary& s) const {
    return "v3sim calibrate of " + files_of(files_) + " (" + device_ + ", " + date_ + "): " + s.text();
  }

  void set(const std::string& param, const std::string& src, const std::string& note = "") {
    r_.profile.provenance[param] = Provenance{src, note};
  }

  void gemm() {
    std::vector<GemmSample> fit, held;
    for (const ProbeFile& f : files_)
      for (const ProbeGemm& g : f.gemms) {
        GemmSample s{fmt::format("{} {}x{}x{}{} on {} SMs", g.precision == GemmPrecision::kFp8 ? "FP8" : "BF16", g.shape.m,
                                 g.shape.n, g.shape.k, g.shape.groups > 1 ? fmt::format(" x{}", g.shape.groups) : "", g.sms),
                     g.shape, g.precision, g.sms, g.timing.median_s};
        const bool hold = g.precision != GemmPrecision::kFp8 || g.shape.groups > 1 || g.sms == 96;
        (hold ? held : fit).push_back(s);
      }
    if (fit.empty()) {
      r_.notes.push_back("no GEMM cases: GEMM parameters kept from the base profile");
      return;
    }
    const GemmFit gf = fit_gemm(fit, d_);
    r_.profile.gemm = gf.params;
    Summary s;
    auto report = [&](const GemmFit& f, bool fitted) {
      for (const GemmFitCase& c : f.cases) {
        r_.cases.push_back({"gemm", c.sample.label, c.measured_s, c.predicted_s, fitted});
        s.add(r_.cases.back());
      }
    };
    report(gf, true);
    if (!held.empty()) report(evaluate_gemm(gf.params, held, d_), false);
    const std::string how = "least squares on relative error over FP8 GEMMs; held out: grouped, BF16 and 96-SM cases";
    for (const char* p : {"gemm.compute_efficiency", "gemm.hbm_efficiency", "gemm.fixed_us"}) set(p, source(s), how);
    set("gemm.k_block_ns", source(s),
        gf.params.k_block_ns > 0 ? how : how + "; no fitted case is bound by a K-step floor, so the probes show none (0)");
    if (gf.params.k_block_ns == 0) r_.notes.push_back("no GEMM case is bound by a K-step floor: k_block_ns is 0");
  }

  // "comm": the dispatch and combine kernels (peer cases when measured, else
  // local); "hbm": the copy kernel.
  void transfers(const std::string& what) {
    bool peer = false;
    for (const ProbeFile& f : files_)
      for (const ProbeTransfer& t : f.transfers) peer |= t.target == "peer";
    std::vector<RateSample> fit, held;
    for (const ProbeFile& f : files_)
      for (const ProbeTransfer& t : f.transfers) {
        const bool comm = t.kind == "dispatch" || t.kind == "combine";
        if (comm != (what == "comm") || (comm && (t.target == "peer") != peer)) continue;
        RateSample s{fmt::format("{} {} on {} SMs{}", t.kind, t.target, t.sms, t.sms == 0 ? " (cudaMemcpy)" : ""), t.sms,
                     what == "hbm" ? 2 * t.bytes : t.bytes, t.timing.median_s};
        (held_out_sms(t.sms) || t.sms == 0 ? held : fit).push_back(s);
      }
    if (fit.empty()) {
      r_.notes.push_back("no " + std::string(what == "comm" ? "dispatch/combine" : "HBM copy") +
                         " cases: kept from the base profile");
      return;
    }
    const RateFit rf = fit_rate(fit);
    Summary s;
    auto report = [&](const std::vector<RateSample>& samples, const RateFit& f, bool fitted) {
      for (std::size_t i = 0; i < samples.size(); ++i) {
        r_.cases.push_back({what, samples[i].label, samples[i].seconds, f.predicted_s[i], fitted});
        s.add(r_.cases.back());
      }
    };
    report(fit, rf, true);
    // cudaMemcpy (0 SMs) runs on copy engines: predict it at the saturated rate.
    for (RateSample& h : held)
      if (h.sms == 0) h.sms = 1 << 20;
    if (!held.empty()) report(held, evaluate_rate(rf.model, held), false);
    const std::string note = fmt::format("t = {:.2f} us + bytes / min(SMs x {:.2f} GB/s, {:.0f} GB/s)",
                                         rf.model.latency_s * 1e6, rf.model.per_sm_bytes_per_s / 1e9,
                                         rf.model.saturated_bytes_per_s / 1e9);
    if (what == "comm") {
      r_.profile.comm_gb_per_s_per_sm = rf.model.per_sm_bytes_per_s / 1e9;
      set("comm_gb_per_s_per_sm", source(s), note + (peer ? " (peer GPU over NVLink)" : " (same GPU: no peer measured)"));
    } else {
      r_.profile.memory_gb_per_s_per_sm = rf.model.per_sm_bytes_per_s / 1e9;
      set("memory_gb_per_s_per_sm", source(s), note + " (bytes read plus written)");
      if (std::isfinite(rf.model.saturated_bytes_per_s)) {
        r_.profile.memory_efficiency = std::min(1.0, rf.model.saturated_bytes_per_s / (d_.hbm_tb_per_s * 1e12));
        set("memory_efficiency", source(s), "saturated copy rate over the HBM peak of the hardware preset");
      }
    }
  }

  void interference() {
    std::vector<double> ratios;
    std::vector<std::string> labels;
    for (const ProbeFile& f : files_)
      for (const ProbeInterference& i : f.interference) {
        ratios.push_back(i.gemm_overlapped_s / i.gemm_alone_s);
        labels.push_back(fmt::format("FP8 {}x{}x{}{} on {} SMs beside {} comm SMs", i.shape.m, i.shape.n, i.shape.k,
                                     i.shape.groups > 1 ? fmt::format(" x{}", i.shape.groups) : "", i.gemm_sms, i.comm_sms));
      }
    if (ratios.empty()) {
      r_.notes.push_back("no interference cases: overlap_compute_slowdown kept from the base profile");
      return;
    }
    std::vector<double> sorted = ratios;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted.size() % 2 ? sorted[sorted.size() / 2]
                                            : (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]) / 2;
    r_.profile.overlap_compute_slowdown = std::max(1.0, median);
    Summary s;
    for (std::size_t i = 0; i < ratios.size(); ++i) {
      r_.cases.push_back({"interference", labels[i], ratios[i], r_.profile.overlap_compute_slowdown, true});
      s.add(r_.cases.back());
    }
    set("overlap_compute_slowdown", source(s), "median over cases of GEMM time beside the dispatch kernel / alone");
  }

  const std::vector<ProbeFile>& files_;
  DeviceRates d_;
  CalibrationResult r_;
  std::string device_, date_;
};

}  // namespace

CalibrationResult calibrate(const std::vector<ProbeFile>& files, const DeviceRates& device, const Profile& base,
                            const std::string& name, const std::string& hardware) {
  if (files.empty()) throw std::invalid_argument("no probe files given");
  return Calibrator(files, device, base).run(name, hardware);
}

}  // namespace v3sim::calibration
