#include "calibration/gemm_terms.hpp"

#include <algorithm>
#include <stdexcept>

namespace v3sim::calibration {
namespace {

int operand_bytes(GemmPrecision prec) { return prec == GemmPrecision::kFp8 ? 1 : 2; }
double tensor_peak_flops(const DeviceRates& d, GemmPrecision prec) {
  return (prec == GemmPrecision::kFp8 ? d.fp8_tflops : d.bf16_tflops) * 1e12;
}
constexpr double kOutputBytes = 2;  // BF16 output for both precisions
constexpr std::int64_t kKBlockBytes = 128;  // one TMA/WGMMA K step: 128 FP8 or 64 BF16 elements

}  // namespace

void require_valid(const DeviceRates& d) {
  if (!(d.fp8_tflops > 0 && d.bf16_tflops > 0 && d.hbm_tb_per_s > 0 && d.total_sms > 0))
    throw std::invalid_argument("DeviceRates: every peak rate and total_sms must be positive");
}

GemmTerms gemm_terms(const DeviceRates& d, const GemmShape& g, GemmPrecision prec, int sms) {
  require_valid(d);
  sms = std::clamp(sms, 1, d.total_sms);
  return gemm_terms(d, g, prec, choose_tiling(g, sms));
}

GemmTerms gemm_terms(const DeviceRates& d, const GemmShape& g, GemmPrecision prec, const GemmTiling& tiling) {
  require_valid(d);
  GemmTerms t;
  t.tiling = tiling;
  const double bytes = operand_bytes(prec);
  const double k = static_cast<double>(g.k);
  const double groups = g.groups;
  t.k_blocks = (g.k * operand_bytes(prec) + kKBlockBytes - 1) / kKBlockBytes;
  // A partial tile costs a full one (padding) and so does a partial wave.
  const double sm_peak = tensor_peak_flops(d, prec) / d.total_sms;
  const double waves = static_cast<double>(tiling.waves);
  t.compute_s = waves * 2.0 * tiling.block_m * tiling.block_n * k / sm_peak;
  t.k_steps = waves * static_cast<double>(t.k_blocks);
  const double hbm = d.hbm_tb_per_s * 1e12;
  t.operand_s = groups * (static_cast<double>(g.m) * k + k * static_cast<double>(g.n)) * bytes / hbm;
  t.output_s = groups * static_cast<double>(g.m) * static_cast<double>(g.n) * kOutputBytes / hbm;
  return t;
}

GemmBound gemm_bound(const GemmParams& p, const GemmTerms& t) {
  const double compute = t.compute_s / p.compute_efficiency;
  const double k_step = t.k_steps * p.k_block_ns * 1e-9;
  const double memory = t.operand_s / p.hbm_efficiency;
  // Ties go to the earlier limit, so the choice is deterministic.
  if (compute >= k_step && compute >= memory) return GemmBound::kCompute;
  return k_step >= memory ? GemmBound::kKStep : GemmBound::kMemory;
}

GemmRow gemm_row(const GemmTerms& t, GemmBound bound) {
  // Operand loads are pipelined under the tensor cores (TMA, several
  // stages), and each K step of a tile has a floor (barriers, WGMMA issue,
  // the FP32 promotion of block-scaled accumulators, load latency over the
  // pipeline depth), so the main loop takes the largest of the three. The
  // BF16 output is written in the epilogue, after the main loop: it adds.
  GemmRow row{1e-6, 0.0, t.output_s, 0.0};
  switch (bound) {
    case GemmBound::kCompute: row[1] = t.compute_s; break;
    case GemmBound::kKStep: row[3] = t.k_steps * 1e-9; break;
    case GemmBound::kMemory: row[2] += t.operand_s; break;
  }
  return row;
}

GemmRow gemm_unknowns(const GemmParams& p) {
  return {p.fixed_us, 1.0 / p.compute_efficiency, 1.0 / p.hbm_efficiency, p.k_block_ns};
}

GemmParams gemm_params(const GemmRow& x) {
  GemmParams p;
  p.fixed_us = x[0];
  p.compute_efficiency = 1.0 / x[1];
  p.hbm_efficiency = 1.0 / x[2];
  p.k_block_ns = x[3];
  return p;
}

double gemm_seconds(const GemmParams& p, const GemmTerms& t) {
  const GemmRow row = gemm_row(t, gemm_bound(p, t));
  const GemmRow x = gemm_unknowns(p);
  double s = 0;
  for (std::size_t i = 0; i < row.size(); ++i) s += row[i] * x[i];
  return s;
}

}  // namespace v3sim::calibration
