// The pieces that let a serving run scale to a day of a fleet: decode steps
// drawn once per request, streaming percentiles.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "models/serving/mtp_steps.hpp"
#include "models/serving/quantiles.hpp"

namespace v3sim::models {
namespace {

// E[steps] to make n tokens with one draft accepted with probability a, by
// the first step's two outcomes: e(n) = 1 + (1 - a) e(n - 1) + a e(n - 2),
// e(0) = 0 and e(-1) = 0 (an overshooting last step).
double expected_steps(int n, double a) {
  std::vector<double> e(static_cast<std::size_t>(n) + 2, 0);  // e[k + 1] = e(k)
  for (int k = 1; k <= n; ++k) e[static_cast<std::size_t>(k) + 1] = 1 + (1 - a) * e[static_cast<std::size_t>(k)] + a * e[static_cast<std::size_t>(k) - 1];
  return e[static_cast<std::size_t>(n) + 1];
}

TEST(MtpSteps, MeanStepsMatchTheRecurrence) {
  std::mt19937_64 rng(5);
  for (int n : {1, 2, 3, 17, 1000, 20000}) {
    const int draws = 20000;
    double sum = 0, sq = 0;
    for (int i = 0; i < draws; ++i) {
      const double s = static_cast<double>(decode_steps(n, 1, 0.85, rng));
      sum += s;
      sq += s * s;
      ASSERT_GE(s, std::ceil(n / 2.0));
      ASSERT_LE(s, n);
    }
    const double mean = sum / draws, sd = std::sqrt(std::max(0.0, sq / draws - mean * mean));
    EXPECT_NEAR(mean, expected_steps(n, 0.85), 4 * sd / std::sqrt(draws) + 1e-9) << n;
  }
}

// Deeper MTP against stepping one step at a time (the same per-step law):
// the means agree within the sampling error, and without MTP every token is a step.
TEST(MtpSteps, BlocksDrawWhatSingleStepsDraw) {
  std::mt19937_64 rng(9), ref(10);
  const int n = 3000, draws = 4000, depth = 3;
  const double a = 0.7;
  double block = 0, single = 0, sq = 0;
  for (int i = 0; i < draws; ++i) {
    const double s = static_cast<double>(decode_steps(n, depth, a, rng));
    block += s;
    sq += s * s;
    long long left = n, steps = 0;
    std::bernoulli_distribution accept(a);
    while (left > 0) {
      int made = 1;
      for (int k = 0; k < depth && accept(ref); ++k) ++made;
      left -= made;
      ++steps;
    }
    single += static_cast<double>(steps);
  }
  const double sd = std::sqrt(sq / draws - (block / draws) * (block / draws));
  EXPECT_NEAR(block / draws, single / draws, 5 * sd / std::sqrt(draws));
  EXPECT_EQ(decode_steps(123, 0, 0.9, rng), 123);
}

TEST(Quantiles, ExactUntilTheLimitThenWithinHalfABin) {
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> d(0, 1.5);
  Quantiles exact(1 << 20), binned(1000);
  std::vector<double> all;
  for (int i = 0; i < 50000; ++i) {
    const double v = d(rng);
    exact.add(v);
    binned.add(v);
    all.push_back(v);
  }
  const Distribution truth = distribution(all);
  const Distribution e = exact.distribution(), b = binned.distribution();
  EXPECT_FALSE(exact.binned());
  EXPECT_TRUE(binned.binned());
  EXPECT_EQ(e.p99, truth.p99);
  EXPECT_EQ(e.p50, truth.p50);
  EXPECT_EQ(b.count, 50000);
  EXPECT_NEAR(b.mean, truth.mean, 1e-9 * truth.mean);
  for (auto [got, want] : {std::pair{b.p50, truth.p50}, {b.p90, truth.p90}, {b.p99, truth.p99}})
    EXPECT_LE(std::abs(got / want - 1), binned.binned_error() * 1.0001) << want;
}

}  // namespace
}  // namespace v3sim::models
