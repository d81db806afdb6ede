// The GEMM time model on hand-computed cases: closed-form times, wave
// quantisation, SM scaling, precision, and the guards on its inputs.
#include <gtest/gtest.h>

#include "calibration/cost_model.hpp"
#include "calibration/gemm_terms.hpp"
#include "calibration/gemm_tiling.hpp"

namespace v3sim::calibration {
namespace {

const DeviceRates kH800{1979, 989, 3.35, 132};

Profile with_gemm(double compute_eff, double hbm_eff, double fixed_us, double k_block_ns) {
  Profile p;
  p.gemm = {compute_eff, hbm_eff, fixed_us, k_block_ns};
  return p;
}

TEST(GemmModel, ComputeBoundGemmEqualsTheClosedForm) {
  const GemmShape g{8192, 8192, 8192, 1};
  const GemmTiling tiling = make_tiling(g, 128, 128, 132);
  EXPECT_EQ(tiling.tiles, 64 * 64);
  EXPECT_EQ(tiling.waves, 32);  // 4096 / 132 = 31.03
  const GemmTerms terms = gemm_terms(kH800, g, GemmPrecision::kFp8, tiling);
  EXPECT_EQ(terms.k_blocks, 64);  // 8192 FP8 bytes / 128
  EXPECT_EQ(terms.k_steps, 32 * 64);

  // 32 waves of a 128 x 128 x 8192 tile at one SM's share of 1979 TFLOPS, at
  // 80% of peak (1.27 ms); the BF16 output (8192^2 x 2 bytes) at half the HBM
  // peak; 2 us fixed. A 50 ns K-step floor (2048 steps: 0.1 ms) and the
  // operands (134 MB at 0.5 x 3.35 TB/s: 0.08 ms) hide under the tensor time.
  const GemmParams p{0.8, 0.5, 2, 50};
  ASSERT_EQ(gemm_bound(p, terms), GemmBound::kCompute);
  const double compute = 32 * (2.0 * 128 * 128 * 8192) / (1979e12 / 132) / 0.8;
  const double output = 8192.0 * 8192 * 2 / 3.35e12 / 0.5;
  EXPECT_NEAR(gemm_seconds(p, terms), 2e-6 + compute + output, 1e-15);
  EXPECT_NEAR(gemm_seconds(GemmParams{0.8, 0.5, 2, 0}, terms), 2e-6 + compute + output, 1e-15);
}

TEST(GemmModel, MemoryBoundGemmPaysOperandsNotCompute) {
  // One row against a 7168 x 16384 weight: 117 MB of B dwarfs the compute.
  const GemmShape g{64, 7168, 16384, 1};
  const GemmTerms terms = gemm_terms(kH800, g, GemmPrecision::kFp8, 132);
  const GemmParams p{0.9, 0.8, 1, 40};
  ASSERT_EQ(gemm_bound(p, terms), GemmBound::kMemory);
  // 64 x 56 tiles, one wave, 128 K steps of 40 ns: 5 us, under the 44 us of operands.
  EXPECT_EQ(terms.k_steps, 128);
  const double bytes = 64.0 * 16384 + 16384.0 * 7168 + 64.0 * 7168 * 2;
  EXPECT_NEAR(gemm_seconds(p, terms), 1e-6 + bytes / 3.35e12 / 0.8, 1e-15);
}

TEST(GemmModel, SmallTilesWithLongKAreBoundByTheKStepFloor) {
  // 64 x 2112 x 7168: 132 tiles of 64 x 16, one wave, 56 K steps. At 200 ns
  // a step the main loop takes 11.2 us, more than the operands (15.6 MB:
  // 4.66 us at peak, 5.8 us at 80%) and the tensor time (0.98 us at peak).
  const GemmShape g{64, 2112, 7168, 1};
  const GemmTerms terms = gemm_terms(kH800, g, GemmPrecision::kFp8, 132);
  ASSERT_EQ(terms.tiling.block_n, 16);
  const GemmParams p{0.9, 0.8, 1, 200};
  ASSERT_EQ(gemm_bound(p, terms), GemmBound::kKStep);
  const double output = 64.0 * 2112 * 2 / 3.35e12 / 0.8;
  EXPECT_NEAR(gemm_seconds(p, terms), 1e-6 + 56 * 200e-9 + output, 1e-15);
  // Below the memory time the floor no longer shows.
  const double operands = (64.0 * 7168 + 7168.0 * 2112) / 3.35e12 / 0.8;
  EXPECT_NEAR(gemm_seconds(GemmParams{0.9, 0.8, 1, 50}, terms), 1e-6 + operands + output, 1e-15);
}

TEST(GemmModel, OneTileMoreThanTheSmsTakesTwoWaves) {
  const GemmShape full{128 * 132, 128, 4096, 1};
  const GemmShape one_more{128 * 133, 128, 4096, 1};
  const GemmTiling a = make_tiling(full, 128, 128, 132);
  const GemmTiling b = make_tiling(one_more, 128, 128, 132);
  EXPECT_EQ(a.tiles, 132);
  EXPECT_EQ(a.waves, 1);
  EXPECT_EQ(b.tiles, 133);
  EXPECT_EQ(b.waves, 2);
  // The 133rd tile costs a whole tile time: compute doubles for 0.8% more work.
  EXPECT_DOUBLE_EQ(gemm_terms(kH800, one_more, GemmPrecision::kFp8, b).compute_s,
                   2 * gemm_terms(kH800, full, GemmPrecision::kFp8, a).compute_s);
}

TEST(GemmModel, HalvingTheSmsDoublesTheComputeTerm) {
  const GemmShape g{8192, 8192, 8192, 1};
  const double all = gemm_terms(kH800, g, GemmPrecision::kFp8, make_tiling(g, 128, 128, 128)).compute_s;
  const double half = gemm_terms(kH800, g, GemmPrecision::kFp8, make_tiling(g, 128, 128, 64)).compute_s;
  EXPECT_DOUBLE_EQ(half, 2 * all);  // 4096 tiles: 32 waves on 128 SMs, 64 on 64
  // With the library's own tile choice the ratio is 2 up to wave rounding.
  const double r = gemm_terms(kH800, g, GemmPrecision::kFp8, 66).compute_s /
                   gemm_terms(kH800, g, GemmPrecision::kFp8, 132).compute_s;
  EXPECT_NEAR(r, 2.0, 0.05);
  // The memory terms do not depend on the SMs (assumption until the HBM-vs-SM probe).
  EXPECT_EQ(gemm_terms(kH800, g, GemmPrecision::kFp8, 66).operand_s,
            gemm_terms(kH800, g, GemmPrecision::kFp8, 132).operand_s);
}

TEST(GemmModel, TileChoiceFillsTheSmsLikeDeepGemm) {
  // 2112 / 16 = 132 column tiles: exactly one full wave.
  const GemmTiling small = choose_tiling({64, 2112, 7168, 1}, 132);
  EXPECT_EQ(small.block_m, 64);
  EXPECT_EQ(small.block_n, 16);
  EXPECT_EQ(small.tiles, 132);
  // 4096 / 32 = 128 tiles, one wave; block_n 24 would need 171 tiles, two waves.
  EXPECT_EQ(choose_tiling({128, 4096, 7168, 1}, 132).block_n, 32);
  // 32 x 14 tiles of 128 x 160 fill 4 waves (448 / 132 = 3.4); no candidate
  // up to 128 needs fewer than 5 (block_n 128: 32 x 17 = 544 tiles).
  EXPECT_EQ(choose_tiling({4096, 2112, 7168, 1}, 132).block_n, 160);
  EXPECT_EQ(choose_tiling({4096, 2112, 7168, 1}, 132).waves, 4);
  const GemmTiling large = choose_tiling({4096, 7168, 2048, 1}, 132);
  EXPECT_EQ(large.block_m, 128);
  EXPECT_EQ(large.block_n, 160);
  EXPECT_EQ(large.waves, 11);  // 32 x 45 = 1440 tiles
  // Grouped GEMMs use block_m 128 (rows of each group are 128-aligned).
  EXPECT_EQ(choose_tiling({64, 4096, 7168, 4}, 132).block_m, 128);
}

TEST(GemmModel, Bf16UsesItsPeakAndTwoByteOperands) {
  const GemmShape g{4096, 4096, 4096, 1};
  const GemmTiling t = make_tiling(g, 128, 128, 132);
  const GemmTerms fp8 = gemm_terms(kH800, g, GemmPrecision::kFp8, t);
  const GemmTerms bf16 = gemm_terms(kH800, g, GemmPrecision::kBf16, t);
  EXPECT_NEAR(bf16.compute_s / fp8.compute_s, 1979.0 / 989.0, 1e-12);
  EXPECT_DOUBLE_EQ(bf16.operand_s, 2 * fp8.operand_s);
  EXPECT_DOUBLE_EQ(bf16.output_s, fp8.output_s);  // BF16 output either way
  EXPECT_EQ(bf16.k_blocks, 2 * fp8.k_blocks);     // 64 BF16 elements per 128-byte K step
}

TEST(GemmModel, GuardsItsInputs) {
  const Profile p = with_gemm(0.9, 0.8, 2, 40);
  const GemmShape g{4096, 4096, 4096, 1};
  EXPECT_EQ(gemm_seconds(p, kH800, {0, 4096, 4096, 1}, GemmPrecision::kFp8, 132), 0);
  EXPECT_EQ(gemm_seconds(p, kH800, {4096, 4096, 4096, 0}, GemmPrecision::kFp8, 132), 0);
  // SMs are clamped to [1, total].
  EXPECT_EQ(gemm_seconds(p, kH800, g, GemmPrecision::kFp8, 0), gemm_seconds(p, kH800, g, GemmPrecision::kFp8, 1));
  EXPECT_EQ(gemm_seconds(p, kH800, g, GemmPrecision::kFp8, 500), gemm_seconds(p, kH800, g, GemmPrecision::kFp8, 132));
  EXPECT_GT(gemm_seconds(p, kH800, g, GemmPrecision::kFp8, 1), 50 * gemm_seconds(p, kH800, g, GemmPrecision::kFp8, 132));
  EXPECT_THROW(gemm_seconds(p, DeviceRates{}, g, GemmPrecision::kFp8, 132), std::invalid_argument);
}

TEST(GemmModel, AttentionAndMemoryKernels) {
  Profile p;
  p.attention_forward_efficiency = 0.6;
  p.attention_backward_efficiency = 0.5;
  p.memory_efficiency = 0.8;
  EXPECT_DOUBLE_EQ(attention_seconds(p, kH800, 1e15, false, 132), 1e15 / (989e12 * 0.6));
  EXPECT_DOUBLE_EQ(attention_seconds(p, kH800, 1e15, true, 66), 1e15 / (989e12 * 0.5 * 0.5));
  EXPECT_EQ(attention_seconds(p, kH800, 0, false, 132), 0);
  EXPECT_EQ(attention_seconds(p, kH800, 1e12, false, 0), attention_seconds(p, kH800, 1e12, false, 1));
  EXPECT_DOUBLE_EQ(memory_seconds(p, kH800, 3.35e9, 132), 1e-3 / 0.8);
  EXPECT_EQ(memory_seconds(p, kH800, 3.35e9, 20), memory_seconds(p, kH800, 3.35e9, 132));  // no SM dependence yet
  EXPECT_EQ(memory_seconds(p, kH800, 0, 132), 0);
}

}  // namespace
}  // namespace v3sim::calibration
