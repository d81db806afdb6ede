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
  t.compute_s = static_cast<double>(tiling.waves) * 2.0 * tiling.block_m * tiling.block_n * k / sm_peak;
  const double hbm = d.hbm_tb_per_s * 1e12;
  t.operand_s = groups * (static_cast<double>(g.m) * k + k * static_cast<double>(g.n)) * bytes / hbm;
  t.output_s = groups * static_cast<double>(g.m) * static_cast<double>(g.n) * kOutputBytes / hbm;
  t.compute_bound = t.compute_s >= t.operand_s;
  return t;
}

GemmRow gemm_row(const GemmTerms& t) {
  // Operand loads overlap the tensor cores (TMA pipelining), so only the
  // larger of the two counts; the BF16 output is written in the epilogue,
  // after the main loop, so it adds. Each K step of each wave has a latency
  // floor (barriers, WGMMA issue, FP32 promotion) that small tiles expose.
  return {1e-6,
          t.compute_bound ? t.compute_s : 0.0,
          (t.compute_bound ? 0.0 : t.operand_s) + t.output_s,
          static_cast<double>(t.tiling.waves) * static_cast<double>(t.k_blocks) * 1e-9};
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
  const GemmRow row = gemm_row(t);
  const GemmRow x = gemm_unknowns(p);
  double s = 0;
  for (std::size_t i = 0; i < row.size(); ++i) s += row[i] * x[i];
  return s;
}

}  // namespace v3sim::calibration
