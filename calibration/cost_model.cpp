#include "calibration/cost_model.hpp"

#include <algorithm>

#include "calibration/gemm_terms.hpp"

namespace v3sim::calibration {

double gemm_seconds(const Profile& p, const DeviceRates& d, const GemmShape& g, GemmPrecision prec, int sms) {
  require_valid(d);
  // An empty GEMM launches nothing, so it costs nothing (not even fixed_us).
  if (g.m <= 0 || g.n <= 0 || g.k <= 0 || g.groups <= 0) return 0;
  return gemm_seconds(p.gemm, gemm_terms(d, g, prec, sms));
}

double attention_seconds(const Profile& p, const DeviceRates& d, double flops, bool backward, int sms) {
  require_valid(d);
  if (!(flops > 0)) return 0;
  sms = std::clamp(sms, 1, d.total_sms);
  // Attention kernels are compute-bound at training sequence lengths, and
  // FlashAttention-style kernels spread over all SMs they hold: the rate
  // scales with the SM share.
  const double efficiency = backward ? p.attention_backward_efficiency : p.attention_forward_efficiency;
  const double rate = d.bf16_tflops * 1e12 * (static_cast<double>(sms) / d.total_sms) * efficiency;
  return flops / rate;
}

double memory_seconds(const Profile& p, const DeviceRates& d, double bytes, int sms) {
  require_valid(d);
  if (!(bytes > 0)) return 0;
  // The kernel streams at a share of HBM peak whatever SMs it holds unless
  // the profile has a measured per-SM rate (the HBM-vs-SM probe); no fixed
  // launch cost (kernels are queued back to back on a stream, so launch
  // latency hides behind the previous kernel).
  double rate = d.hbm_tb_per_s * 1e12 * p.memory_efficiency;
  // A measured per-SM rate caps kernels on few SMs.
  if (p.memory_gb_per_s_per_sm > 0) rate = std::min(rate, std::clamp(sms, 1, d.total_sms) * p.memory_gb_per_s_per_sm * 1e9);
  return bytes / rate;
}

double class_memory_seconds(const Profile& p, const DeviceRates& d, const KernelClassParams& k, double bytes,
                            int launches, int sms) {
  require_valid(d);
  const double launch = launches * k.launch_us * 1e-6;
  if (!(bytes > 0)) return launch;
  if (k.gb_per_s <= 0) return launch + memory_seconds(p, d, bytes, sms);
  const int measured_on = k.at_sms > 0 ? k.at_sms : d.total_sms;
  const double share = std::min(1.0, static_cast<double>(std::clamp(sms, 1, d.total_sms)) / measured_on);
  return launch + bytes / (k.gb_per_s * 1e9 * share);
}

double roofline_seconds(const Profile& p, const DeviceRates& d, const KernelClassParams& k, double bytes, double flops,
                        int sms) {
  require_valid(d);
  const int measured_on = k.at_sms > 0 ? k.at_sms : d.total_sms;
  const double share = std::min(1.0, static_cast<double>(std::clamp(sms, 1, d.total_sms)) / measured_on);
  const double bw = (k.gb_per_s > 0 ? k.gb_per_s * 1e9 : d.hbm_tb_per_s * 1e12 * p.memory_efficiency) * share;
  const double peak = (k.tflops > 0 ? k.tflops : d.bf16_tflops * p.attention_forward_efficiency) * 1e12 * share;
  return k.launch_us * 1e-6 + std::max(std::max(bytes, 0.0) / bw, std::max(flops, 0.0) / peak);
}

}  // namespace v3sim::calibration
