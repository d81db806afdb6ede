#include "calibration/gemm_fit.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "calibration/gemm_terms.hpp"

namespace v3sim::calibration {
namespace {

constexpr int kUnknowns = 4;
constexpr int kLawsonIterations = 500;
constexpr double kWeightFloor = 1e-3;  // times the uniform weight 1/N
constexpr int kActiveSetRounds = 30;

struct Prepared {
  std::vector<GemmTerms> terms;
  Eigen::VectorXd seconds;
};

Prepared prepare(const std::vector<GemmSample>& samples, const DeviceRates& d) {
  Prepared p;
  p.seconds.resize(static_cast<Eigen::Index>(samples.size()));
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const GemmSample& s = samples[i];
    if (!(s.seconds > 0)) throw std::invalid_argument("GEMM sample '" + s.label + "': measured time must be positive");
    p.terms.push_back(gemm_terms(d, s.shape, s.precision, s.sms));
    p.seconds[static_cast<Eigen::Index>(i)] = s.seconds;
  }
  return p;
}

// Rows of the relative-error system A x = 1 for the given bounds: each
// design row over its measured time.
Eigen::MatrixXd relative_rows(const Prepared& p, const std::vector<GemmBound>& bounds) {
  Eigen::MatrixXd a(p.seconds.size(), kUnknowns);
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    const GemmRow row = gemm_row(p.terms[static_cast<std::size_t>(i)], bounds[static_cast<std::size_t>(i)]);
    for (int j = 0; j < kUnknowns; ++j) a(i, j) = row[static_cast<std::size_t>(j)] / p.seconds[i];
  }
  return a;
}

std::optional<Eigen::VectorXd> weighted_solve(const Eigen::MatrixXd& a, const Eigen::VectorXd& w) {
  const Eigen::VectorXd sw = w.cwiseSqrt();
  const Eigen::MatrixXd aw = sw.asDiagonal() * a;
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(aw);
  if (qr.rank() < a.cols()) return std::nullopt;
  return Eigen::VectorXd(qr.solve(sw));
}

// Lawson: reweight each row by its absolute error until the weights settle on
// the rows that bound the maximum error.
std::optional<Eigen::VectorXd> minimax_solve(const Eigen::MatrixXd& a) {
  const Eigen::Index n = a.rows();
  const double floor = kWeightFloor / static_cast<double>(n);
  Eigen::VectorXd w = Eigen::VectorXd::Constant(n, 1.0 / static_cast<double>(n));
  std::optional<Eigen::VectorXd> x = weighted_solve(a, w);
  for (int it = 0; x && it < kLawsonIterations; ++it) {
    const Eigen::VectorXd e = (a * *x).array() - 1.0;
    w = w.cwiseProduct(e.cwiseAbs());
    w /= w.sum();
    w = w.cwiseMax(floor);
    w /= w.sum();
    const std::optional<Eigen::VectorXd> next = weighted_solve(a, w);
    if (!next) return std::nullopt;
    const bool settled = (*next - *x).cwiseAbs().maxCoeff() <= 1e-13 * x->cwiseAbs().maxCoeff();
    x = next;
    if (settled) break;
  }
  return x;
}

double objective_value(const GemmFit& fit, FitObjective objective) {
  if (objective == FitObjective::kMinimax) return fit.max_abs_error;
  double sum = 0;
  for (const GemmFitCase& c : fit.cases) sum += c.relative_error * c.relative_error;
  return sum;
}

bool physical(const GemmRow& x) { return x[1] > 0 && x[2] > 0 && x[0] >= 0 && x[3] >= 0; }

// The least-squares or minimax solution for the given bounds. When no
// sample is bound by the K-step floor, the data cannot show one: the other
// three unknowns are solved and the floor is 0. Null when the rows leave one
// of the other unknowns undetermined.
std::optional<GemmRow> solve_bounds(const Prepared& p, const std::vector<GemmBound>& bounds, FitObjective objective) {
  Eigen::MatrixXd a = relative_rows(p, bounds);
  const bool k_step_shows = a.col(3).cwiseAbs().maxCoeff() > 0;
  if (!k_step_shows) a.conservativeResize(Eigen::NoChange, kUnknowns - 1);
  const std::optional<Eigen::VectorXd> solved = objective == FitObjective::kMinimax
                                                    ? minimax_solve(a)
                                                    : weighted_solve(a, Eigen::VectorXd::Ones(a.rows()));
  if (!solved) return std::nullopt;
  GemmRow x{};
  for (Eigen::Index j = 0; j < solved->size(); ++j) x[static_cast<std::size_t>(j)] = (*solved)[j];
  return x;
}

// Active-set iteration from one start: fix which limit bounds each sample,
// solve the linear problem, re-decide the limits under the answer, repeat
// until they settle. Returns the settled answer if it is physical.
std::optional<GemmRow> solve_from(const Prepared& p, const GemmRow& start, FitObjective objective) {
  GemmRow x = start;
  std::vector<GemmBound> bounds(p.terms.size());
  for (int round = 0; round < kActiveSetRounds; ++round) {
    std::vector<GemmBound> next(p.terms.size());
    for (std::size_t i = 0; i < p.terms.size(); ++i) next[i] = gemm_bound(gemm_params(x), p.terms[i]);
    if (round > 0 && next == bounds) return physical(x) ? std::optional<GemmRow>(x) : std::nullopt;
    bounds = next;
    const std::optional<GemmRow> solved = solve_bounds(p, bounds, objective);
    if (!solved) return std::nullopt;
    x = *solved;
    // The next round inverts these into efficiencies: stop on a non-positive one.
    if (!(x[1] > 0 && x[2] > 0)) return std::nullopt;
  }
  return std::nullopt;  // the limits did not settle
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

double fit_time_scale(const GemmParams& params, const std::vector<GemmSample>& samples, const DeviceRates& d) {
  if (samples.empty()) throw std::invalid_argument("fit_time_scale needs a sample");
  double log_sum = 0;
  for (const GemmFitCase& c : evaluate_gemm(params, samples, d).cases) log_sum += std::log(c.measured_s / c.predicted_s);
  return std::exp(log_sum / static_cast<double>(samples.size()));
}

GemmFit fit_gemm(const std::vector<GemmSample>& samples, const DeviceRates& d, FitObjective objective) {
  require_valid(d);
  if (samples.size() < kUnknowns) throw std::invalid_argument("fit_gemm needs at least 4 samples");
  const Prepared p = prepare(samples, d);
  // The model is a max of three limits, so the fit is piecewise linear:
  // start the active-set iteration from a grid of plausible parameters and
  // keep the best answer.
  std::optional<GemmFit> best;
  for (double compute_eff : {0.5, 0.7, 0.9})
    for (double hbm_eff : {0.5, 0.7, 0.9})
      for (double k_block_ns : {20.0, 50.0, 100.0, 200.0, 400.0}) {
        const std::optional<GemmRow> x = solve_from(p, {1.0, 1 / compute_eff, 1 / hbm_eff, k_block_ns}, objective);
        if (!x) continue;
        GemmFit fit = evaluate_gemm(gemm_params(*x), samples, d);
        if (!best || objective_value(fit, objective) < objective_value(*best, objective)) best = std::move(fit);
      }
  if (!best)
    throw std::invalid_argument(
        "GEMM samples do not determine the model: they need shapes bound by the tensor cores and shapes bound by "
        "HBM, with different K, and the fit must give positive efficiencies and a non-negative fixed cost");
  return *best;
}

}  // namespace v3sim::calibration
