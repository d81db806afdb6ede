#pragma once
// A calibration profile carried to another GPU by a stated rule, never
// silently (docs/calibration.md, "Profiles on other GPUs"). What a profile
// holds relative to the GPU's peaks (GEMM and attention efficiencies, the
// memory efficiency, time scales, launch times) is kept; what it holds as an
// absolute rate is scaled by the ratio of the resource that bounds it:
//
//   memory-bound class bandwidth   x  HBM bandwidth          (at_sms x SM count)
//   FlashMLA decoding               x  HBM bandwidth, its compute roof x BF16 peak
//   DeepEP low-latency kernels      x  NIC bandwidth
//   per-SM copy rate of the comm kernels  x  NVLink bandwidth per direction
//   per-SM memory rate              x  HBM bandwidth per SM
//
// Every scaled number's provenance says so.
#include <string>

#include "calibration/profile.hpp"

namespace v3sim::calibration {

// The numbers of a GPU the rule reads.
struct HardwareTraits {
  std::string name;
  int sms = 0;
  double bf16_tflops = 0;
  double hbm_tb_per_s = 0;
  double nvlink_gb_per_s = 0;  // per direction
  double nic_gb_per_s = 0;     // line rate of the NICs, per GPU: the low-latency kernels move bytes at a share of it
};

Profile scale_profile(const Profile& p, const HardwareTraits& from, const HardwareTraits& to);

// One line naming the rule's ratios, for the outputs of a scaled run.
std::string scaling_statement(const Profile& p, const HardwareTraits& from, const HardwareTraits& to);

}  // namespace v3sim::calibration
