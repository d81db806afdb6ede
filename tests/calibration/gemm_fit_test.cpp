// The least-squares fit: it recovers known parameters from noisy synthetic
// data, and the shipped profile reproduces the published DeepGEMM table.
#include "calibration/gemm_fit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <set>

#include "calibration/gemm_terms.hpp"
#include "calibration/reference_table.hpp"

namespace v3sim::calibration {
namespace {

const DeviceRates kH800{1979, 989, 3.35, 132};

// Model times on a grid of shapes, SM counts and precisions, times (1 + e):
// e Gaussian with standard deviation `noise`, or uniform in [-noise, noise].
std::vector<GemmSample> synthetic(const GemmParams& truth, double noise, unsigned seed, bool uniform = false) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> gauss(0.0, noise);
  std::uniform_real_distribution<double> flat(-noise, noise);
  std::vector<GemmSample> out;
  for (std::int64_t m : {64, 128, 512, 4096})
    for (std::int64_t n : {2112, 4096, 7168, 24576})
      for (std::int64_t k : {512, 2048, 7168})
        for (int sms : {132, 100, 66})
          for (GemmPrecision prec : {GemmPrecision::kFp8, GemmPrecision::kBf16}) {
            GemmSample s;
            s.shape = {m, n, k, 1};
            s.precision = prec;
            s.sms = sms;
            s.seconds = gemm_seconds(truth, gemm_terms(kH800, s.shape, prec, sms)) * (1 + (uniform ? flat(rng) : gauss(rng)));
            out.push_back(s);
          }
  return out;
}

TEST(GemmFit, RecoversKnownParametersFromNoisySyntheticData) {
  // Least squares is the estimator for Gaussian noise, minimax for bounded
  // noise: each gets the noise it is built for, 2% either way.
  const GemmParams truth{0.8, 0.75, 3, 170};
  // The grid has samples under each of the three limits, so every unknown shows.
  std::set<GemmBound> bounds;
  for (const GemmSample& s : synthetic(truth, 0, 1))
    bounds.insert(gemm_bound(truth, gemm_terms(kH800, s.shape, s.precision, s.sms)));
  ASSERT_EQ(bounds.size(), 3u);
  for (FitObjective objective : {FitObjective::kLeastSquares, FitObjective::kMinimax}) {
    const bool minimax = objective == FitObjective::kMinimax;
    SCOPED_TRACE(minimax ? "minimax" : "least squares");
    const GemmFit fit = fit_gemm(synthetic(truth, 0.02, 7, minimax), kH800, objective);
    EXPECT_NEAR(fit.params.compute_efficiency, truth.compute_efficiency, 0.02 * truth.compute_efficiency);
    EXPECT_NEAR(fit.params.hbm_efficiency, truth.hbm_efficiency, 0.02 * truth.hbm_efficiency);
    EXPECT_NEAR(fit.params.fixed_us, truth.fixed_us, 0.05 * truth.fixed_us);
    // The K-step floor is the least determined unknown (few samples are bound
    // by it): 50 seeds put it within 1.9% (least squares), 0.6% (minimax).
    EXPECT_NEAR(fit.params.k_block_ns, truth.k_block_ns, 0.03 * truth.k_block_ns);
    EXPECT_LT(fit.mean_abs_error, 0.03);
  }
}

TEST(GemmFit, ExactDataIsFittedExactly) {
  const GemmParams truth{0.9, 0.85, 1.5, 150};
  const GemmFit fit = fit_gemm(synthetic(truth, 0, 1), kH800);
  EXPECT_NEAR(fit.params.compute_efficiency, 0.9, 1e-9);
  EXPECT_NEAR(fit.params.hbm_efficiency, 0.85, 1e-9);
  EXPECT_NEAR(fit.params.fixed_us, 1.5, 1e-7);
  EXPECT_NEAR(fit.params.k_block_ns, 150, 1e-6);
  EXPECT_LT(fit.max_abs_error, 1e-9);
}

TEST(GemmFit, DataWithoutAKStepFloorFitsNone) {
  // Generated with no floor, no sample is bound by one: the fit says 0 and
  // recovers the rest exactly.
  const GemmParams truth{0.9, 0.85, 1.5, 0};
  for (FitObjective objective : {FitObjective::kLeastSquares, FitObjective::kMinimax}) {
    const GemmFit fit = fit_gemm(synthetic(truth, 0, 1), kH800, objective);
    EXPECT_EQ(fit.params.k_block_ns, 0);
    EXPECT_NEAR(fit.params.compute_efficiency, 0.9, 1e-9);
    EXPECT_NEAR(fit.params.hbm_efficiency, 0.85, 1e-9);
    EXPECT_NEAR(fit.params.fixed_us, 1.5, 1e-7);
  }
}

TEST(GemmFit, RejectsTooFewOrBadSamples) {
  std::vector<GemmSample> few(3, GemmSample{"x", {4096, 4096, 4096, 1}, GemmPrecision::kFp8, 132, 1e-4});
  EXPECT_THROW(fit_gemm(few, kH800), std::invalid_argument);
  std::vector<GemmSample> same(6, GemmSample{"x", {4096, 4096, 4096, 1}, GemmPrecision::kFp8, 132, 1e-4});
  EXPECT_THROW(fit_gemm(same, kH800), std::invalid_argument);  // one shape cannot separate four unknowns
  std::vector<GemmSample> bad = synthetic(GemmParams{}, 0, 1);
  bad[5].seconds = 0;
  EXPECT_THROW(fit_gemm(bad, kH800), std::invalid_argument);
}

ReferenceTable table_from_source_tree() {
  std::ifstream f(V3SIM_SOURCE_DIR "/calibration/reference/deepgemm_h800.json");
  return read_reference_table(nlohmann::json::parse(f));
}

TEST(GemmFit, PublishedProfileReproducesEveryDeepGemmRow) {
  // The measured side is the table's own numbers (TFLOPS -> seconds), read
  // from the reference file; the bound is the calibration issue's 10% (the
  // fit's real maximum is 9.6%, docs/calibration.md).
  const ReferenceTable table = table_from_source_tree();
  ASSERT_EQ(table.cases.size(), 22u);
  const GemmFit check = evaluate_gemm(named_profile("h800-published", "").gemm, table.samples(), table.device);
  for (const GemmFitCase& c : check.cases)
    EXPECT_LE(std::abs(c.relative_error), 0.10) << c.sample.label << ": measured " << c.measured_s * 1e6
                                                << " us, predicted " << c.predicted_s * 1e6 << " us";
  EXPECT_LT(check.mean_abs_error, 0.06);
}

TEST(GemmFit, PublishedProfileIsTheFitOfTheReferenceTable) {
  // The numbers in profiles/h800-published.json are what fit_gemm gives,
  // rounded to four digits: the provenance can be re-derived.
  const ReferenceTable table = table_from_source_tree();
  const GemmFit fit = fit_gemm(table.samples(), table.device, FitObjective::kMinimax);
  const GemmParams& shipped = named_profile("h800-published", "").gemm;
  EXPECT_NEAR(fit.params.compute_efficiency, shipped.compute_efficiency, 5e-4 * shipped.compute_efficiency);
  EXPECT_NEAR(fit.params.hbm_efficiency, shipped.hbm_efficiency, 5e-4 * shipped.hbm_efficiency);
  EXPECT_NEAR(fit.params.fixed_us, shipped.fixed_us, 5e-4 * shipped.fixed_us);
  EXPECT_NEAR(fit.params.k_block_ns, shipped.k_block_ns, 5e-4 * shipped.k_block_ns);
  EXPECT_LE(fit.max_abs_error, 0.10);  // the calibration issue's bound
  // The least-squares fit is better on average and worse at its worst row.
  const GemmFit lsq = fit_gemm(table.samples(), table.device);
  EXPECT_LT(lsq.mean_abs_error, fit.mean_abs_error);
  EXPECT_GT(lsq.max_abs_error, fit.max_abs_error);
}

TEST(GemmFit, HeldOutTileAblationStaysWithinItsDocumentedError) {
  // Not fitted: DeepGEMM pull request #74 (github.com/deepseek-ai/DeepGEMM/pull/74,
  // 2025-03-25, "H800"-SXM) times the same shapes with 128 x 128 tiles and
  // with 128 x 160 tiles. The shipped model, given each tiling, predicts the
  // 160-wide rows within 6% and the 128-wide rows 8-16% too fast: it sees
  // their extra waves but not why wider tiles run faster per FLOP
  // (docs/calibration.md, "Held out").
  struct Row {
    GemmShape shape;
    double tflops_128x128;
    double tflops_128x160;
  };
  const Row rows[] = {{{4096, 24576, 1536, 1}, 999, 1166}, {{4096, 32768, 512, 1}, 591, 748},
                      {{4096, 7168, 16384, 1}, 1404, 1470}, {{4096, 7168, 2048, 1}, 1031, 1204},
                      {{8192, 4096, 7168, 4}, 1317, 1381},  {{8192, 7168, 2048, 4}, 1114, 1262}};
  const GemmParams& p = named_profile("h800-published", "").gemm;
  double worst_128 = 0;
  for (const Row& r : rows) {
    for (int block_n : {128, 160}) {
      const double published_s = r.shape.flops() / ((block_n == 128 ? r.tflops_128x128 : r.tflops_128x160) * 1e12);
      const double predicted_s =
          gemm_seconds(p, gemm_terms(kH800, r.shape, GemmPrecision::kFp8, make_tiling(r.shape, 128, block_n, 132)));
      const double error = predicted_s / published_s - 1;
      if (block_n == 160) {
        EXPECT_LE(std::abs(error), 0.06) << r.shape.m << "x" << r.shape.n << "x" << r.shape.k;
      } else {
        EXPECT_LT(error, 0) << "128-wide tiles are predicted too fast, not too slow";
        worst_128 = std::max(worst_128, -error);
      }
    }
  }
  // docs/calibration.md promises no more than ~16% (4096 x 32768 x 512 is the worst).
  EXPECT_LE(worst_128, 0.17);
}

}  // namespace
}  // namespace v3sim::calibration
