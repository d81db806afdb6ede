#pragma once
// The GEMM time model's terms at peak rates, before any efficiency: what the
// fit regresses on and what gemm_seconds() scales by a profile's parameters.
// docs/calibration.md derives each term.
#include <array>
#include <cstdint>

#include "calibration/cost_model.hpp"
#include "calibration/gemm_tiling.hpp"

namespace v3sim::calibration {

struct GemmTerms {
  GemmTiling tiling;
  std::int64_t k_blocks = 0;  // 128-byte K steps per tile: ceil(k * operand bytes / 128)
  double compute_s = 0;       // waves x one tile's FLOPs at one SM's share of the tensor peak
  double k_steps = 0;         // waves x k_blocks: the K steps one SM runs in series
  double operand_s = 0;       // A and B read once from HBM at peak
  double output_s = 0;        // C (BF16) written once to HBM at peak
};

// Terms for `g` on `sms` SMs (clamped to [1, total_sms]) with the tiling the
// library would choose, or with an explicit tiling (which carries its waves).
GemmTerms gemm_terms(const DeviceRates& d, const GemmShape& g, GemmPrecision prec, int sms);
GemmTerms gemm_terms(const DeviceRates& d, const GemmShape& g, GemmPrecision prec, const GemmTiling& tiling);

// The main loop runs at the slowest of three overlapped limits: the tensor
// cores, the K-step floor, or HBM streaming the operands.
enum class GemmBound { kCompute, kKStep, kMemory };
GemmBound gemm_bound(const GemmParams& p, const GemmTerms& t);

// Once the bound is known the model is linear in x = (fixed_us,
// 1 / compute_efficiency, 1 / hbm_efficiency, k_block_ns): seconds = row . x.
using GemmRow = std::array<double, 4>;
GemmRow gemm_row(const GemmTerms& t, GemmBound bound);
GemmRow gemm_unknowns(const GemmParams& p);
GemmParams gemm_params(const GemmRow& x);

// Seconds for the terms under `p`:
// fixed + max(compute / eta_c, k_steps x k_block, operands / eta_m) + output / eta_m.
double gemm_seconds(const GemmParams& p, const GemmTerms& t);

// Throws std::invalid_argument unless every rate and the SM count are positive.
void require_valid(const DeviceRates& d);

}  // namespace v3sim::calibration
