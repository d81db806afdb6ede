#pragma once
// Throughput of a data-moving kernel (a dispatch or combine kernel, an HBM
// copy) as a function of the SMs it holds: each SM moves `per_sm` bytes per
// second until the kernel saturates a shared resource (NVLink, HBM) at
// `saturated`, after a fixed `latency`:
//
//   t(bytes, sms) = latency + bytes / min(sms * per_sm, saturated)
//
// The model is linear in (latency, 1/per_sm, 1/saturated) once each case is
// assigned to the SM-bound or the saturated regime; the fit (Eigen least
// squares on relative error) tries every split at an SM count and keeps the
// one whose min() model fits best.
#include <string>
#include <vector>

namespace v3sim::calibration {

struct RateSample {
  std::string label;
  int sms = 0;
  double bytes = 0;
  double seconds = 0;
};

struct RateModel {
  double latency_s = 0;
  double per_sm_bytes_per_s = 0;
  double saturated_bytes_per_s = 0;  // infinity: no saturation within the samples
  double seconds(double bytes, int sms) const;
};

struct RateFit {
  RateModel model;
  std::vector<double> predicted_s;  // per sample
  double max_abs_error = 0;
};

// Throws std::invalid_argument when the samples span fewer than two SM counts
// or no split gives positive parameters.
RateFit fit_rate(const std::vector<RateSample>& samples);

RateFit evaluate_rate(const RateModel& model, const std::vector<RateSample>& samples);

}  // namespace v3sim::calibration
