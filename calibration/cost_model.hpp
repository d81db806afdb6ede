#pragma once
// Kernel cost model: how long a GEMM, an attention kernel or a memory-bound
// kernel takes on a GPU, given the SMs it holds and a calibration profile.
// The model's form and its assumptions are in docs/calibration.md.
#include <cstdint>

#include "calibration/profile.hpp"

namespace v3sim::calibration {

// What the cost model needs to know about a GPU (filled from a hardware
// preset by models/; calibration/ knows no presets).
struct DeviceRates {
  double fp8_tflops = 0;    // dense tensor peak, all SMs
  double bf16_tflops = 0;
  double hbm_tb_per_s = 0;  // peak
  int total_sms = 0;
};

enum class GemmPrecision { kFp8, kBf16 };

// C[m x n] = A[m x k] B[k x n], or `groups` such products with separate B
// (a grouped expert GEMM, contiguous layout: groups x m rows).
struct GemmShape {
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
  int groups = 1;
  double flops() const { return 2.0 * static_cast<double>(m) * n * k * groups; }
};

// Seconds for one GEMM on `sms` SMs (1 <= sms <= total_sms).
double gemm_seconds(const Profile& p, const DeviceRates& d, const GemmShape& g, GemmPrecision prec, int sms);

// Seconds for a BF16 attention kernel doing `flops` on `sms` SMs.
double attention_seconds(const Profile& p, const DeviceRates& d, double flops, bool backward, int sms);

// Seconds for a memory-bound kernel moving `bytes` (reads plus writes).
double memory_seconds(const Profile& p, const DeviceRates& d, double bytes, int sms);

// Seconds for `launches` kernels of a memory-bound class moving `bytes` in
// all on `sms` SMs: the class's fitted bandwidth (scaled down in proportion
// when the kernel holds fewer SMs than it was measured on) plus its
// per-launch time; a class the profile does not calibrate falls back to
// memory_seconds.
double class_memory_seconds(const Profile& p, const DeviceRates& d, const KernelClassParams& k, double bytes,
                            int launches, int sms);

// Seconds for a kernel that streams `bytes` and does `flops` (FlashMLA
// decoding): the larger of its class's memory roof (gb_per_s, scaled by SM
// share as above) and compute roof (tflops, likewise), plus launch_us. A
// class without a measured roof uses HBM peak x memory_efficiency and BF16
// peak x attention_forward_efficiency.
double roofline_seconds(const Profile& p, const DeviceRates& d, const KernelClassParams& k, double bytes, double flops,
                        int sms);

}  // namespace v3sim::calibration
