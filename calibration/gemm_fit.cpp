#include "calibration/gemm_fit.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "calibration/gemm_terms.hpp"

namespace v3sim::calibration {
namespace {

constexpr int kUnknowns = 4;
constexpr int kLawsonIterations = 500;
constexpr double kWeightFloor = 1e-3;  // times the uniform weight 1/N

// Rows of the relative-error system A x = 1: each design row over its time.
Eigen::MatrixXd relative_rows(const std::vector<GemmSample>& samples, const DeviceRates& d) {
  Eigen::MatrixXd a(static_cast<Eigen::Index>(samples.size()), kUnknowns);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const GemmSample& s = samples[i];
    if (!(s.seconds > 0)) throw std::invalid_argument("GEMM sample '" + s.label + "': measured time must be positive");
    const GemmRow row = gemm_row(gemm_terms(d, s.shape, s.precision, s.sms));
    for (int j = 0; j < kUnknowns; ++j) a(static_cast<Eigen::Index>(i), j) = row[j] / s.seconds;
  }
  return a;
}

Eigen::VectorXd weighted_solve(const Eigen::MatrixXd& a, const Eigen::VectorXd& w) {
  const Eigen::VectorXd sw = w.cwiseSqrt();
  const Eigen::MatrixXd aw = sw.asDiagonal() * a;
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(aw);
  if (qr.rank() < kUnknowns)
    throw std::invalid_argument("GEMM samples leave an unknown undetermined (need compute-bound and memory-bound "
                                "shapes, and shapes with different K)");
  return qr.solve(sw);
}

// Lawson: reweight each row by its absolute error until the weights settle on
// the rows that bound the maximum error.
Eigen::VectorXd minimax_solve(const Eigen::MatrixXd& a) {
  const Eigen::Index n = a.rows();
  const double floor = kWeightFloor / static_cast<double>(n);
  Eigen::VectorXd w = Eigen::VectorXd::Constant(n, 1.0 / static_cast<double>(n));
  Eigen::VectorXd x = weighted_solve(a, w);
  for (int it = 0; it < kLawsonIterations; ++it) {
    const Eigen::VectorXd e = (a * x).array() - 1.0;
    w = w.cwiseProduct(e.cwiseAbs());
    w /= w.sum();
    w = w.cwiseMax(floor);
    w /= w.sum();
    const Eigen::VectorXd next = weighted_solve(a, w);
    const bool settled = (next - x).cwiseAbs().maxCoeff() <= 1e-13 * x.cwiseAbs().maxCoeff();
    x = next;
    if (settled) break;
  }
  return x;
}

}  // namespace

GemmFit evaluate_gemm(const GemmParams& params, const std::vector<GemmSample>& samples, const DeviceRates& d) {
  GemmFit fit;
  fit.params = params;
  for (const GemmSample& s : samples) {
    GemmFitCase c;
    c.sample = s;
    c.measured_s = s.seconds;
    c.predicted_s = gemm_seconds(params, gemm_terms(d, s.shape, s.precision, s.sms));
    c.relative_error = (c.predicted_s - c.measured_s) / c.measured_s;
    fit.max_abs_error = std::max(fit.max_abs_error, std::abs(c.relative_error));
    fit.mean_abs_error += std::abs(c.relative_error) / static_cast<double>(samples.size());
    fit.cases.push_back(c);
  }
  return fit;
}

GemmFit fit_gemm(const std::vector<GemmSample>& samples, const DeviceRates& d, FitObjective objective) {
  require_valid(d);
  if (samples.size() < kUnknowns) throw std::invalid_argument("fit_gemm needs at least 4 samples");
  const Eigen::MatrixXd a = relative_rows(samples, d);
  const Eigen::VectorXd x = objective == FitObjective::kMinimax
                                ? minimax_solve(a)
                                : weighted_solve(a, Eigen::VectorXd::Ones(a.rows()));
  if (!(x[1] > 0 && x[2] > 0 && x[0] >= 0 && x[3] >= 0))
    throw std::runtime_error("GEMM fit is unphysical (fixed_us " + std::to_string(x[0]) + ", 1/compute_eff " +
                             std::to_string(x[1]) + ", 1/hbm_eff " + std::to_string(x[2]) + ", k_block_ns " +
                             std::to_string(x[3]) + "): the samples do not constrain the model");
  return evaluate_gemm(gemm_params({x[0], x[1], x[2], x[3]}), samples, d);
}

}  // namespace v3sim::calibration
