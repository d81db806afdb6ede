#pragma once
// Fitting the GEMM time model to measured kernel times. Once it is known
// which limit bounds each sample (tensor cores, K-step floor or HBM), the
// model is linear in its unknowns (gemm_terms.hpp), so the fit is an
// active-set iteration of weighted least-squares solves (Eigen) on relative
// error: each row is divided by its measured time, so a 10 us GEMM counts as
// much as a 10 ms one.
#include <string>
#include <vector>

#include "calibration/cost_model.hpp"

namespace v3sim::calibration {

// One measured GEMM.
struct GemmSample {
  std::string label;
  GemmShape shape;
  GemmPrecision precision = GemmPrecision::kFp8;
  int sms = 0;
  double seconds = 0;
};

struct GemmFitCase {
  GemmSample sample;
  double predicted_s = 0;
  double measured_s = 0;
  double relative_error = 0;  // (predicted - measured) / measured
};

// kLeastSquares minimises the sum of squared relative errors. kMinimax
// minimises the largest one (Lawson's iteratively reweighted least squares,
// with a small weight floor so every row keeps a least-squares pull, which
// makes the answer unique and stable).
enum class FitObjective { kLeastSquares, kMinimax };

struct GemmFit {
  GemmParams params;
  std::vector<GemmFitCase> cases;
  double max_abs_error = 0;
  double mean_abs_error = 0;
};

// Fits the four unknowns. When no sample is bound by the K-step floor under
// the best answer, the data show no floor and k_block_ns is 0. Throws
// std::invalid_argument for fewer than four samples, a non-positive time, or
// samples that leave another unknown undetermined (no physical answer with
// both compute-bound and memory-bound samples).
GemmFit fit_gemm(const std::vector<GemmSample>& samples, const DeviceRates& d,
                 FitObjective objective = FitObjective::kLeastSquares);

// The model under `params` against the samples (held-out cases, profile checks).
GemmFit evaluate_gemm(const GemmParams& params, const std::vector<GemmSample>& samples, const DeviceRates& d);

// A kernel family the model does not describe alone (DeepGEMM's masked
// layout): the time scale that multiplies the model's time, the geometric
// mean of measured over predicted (the least-squares fit of log errors).
double fit_time_scale(const GemmParams& params, const std::vector<GemmSample>& samples, const DeviceRates& d);

}  // namespace v3sim::calibration
