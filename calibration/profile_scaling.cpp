#include "calibration/profile_scaling.hpp"

#include <cmath>
#include <fmt/format.h>

namespace v3sim::calibration {
namespace {

constexpr double kLaunchBound = 1e6;  // a class's "no byte-bound term" bandwidth (trace_fit.cpp)

void note(Provenance& p, const std::string& what) { p.note = p.note.empty() ? what : p.note + "; " + what; }

}  // namespace

Profile scale_profile(const Profile& p, const HardwareTraits& from, const HardwareTraits& to) {
  Profile s = p;
  s.hardware = to.name;
  const double hbm = to.hbm_tb_per_s / from.hbm_tb_per_s;
  const double sms = static_cast<double>(to.sms) / from.sms;
  const double bf16 = to.bf16_tflops / from.bf16_tflops;
  const double nic = to.nic_gb_per_s / from.nic_gb_per_s;
  const double nvlink = to.nvlink_gb_per_s / from.nvlink_gb_per_s;
  const std::string by = fmt::format("scaled from {} to {} by ", from.name, to.name);
  for (auto& [cls, k] : s.kernel_classes) {
    if (cls == "ep_ll_dispatch" || cls == "ep_ll_combine") {
      if (k.gb_per_s > 0) {
        k.gb_per_s *= nic;
        note(k.provenance, by + fmt::format("NIC bandwidth x{:.3f}", nic));
      }
      continue;
    }
    if (cls == "ep_ll_dispatch_nvlink" || cls == "ep_ll_combine_nvlink") {
      if (k.gb_per_s > 0) {
        k.gb_per_s *= nvlink;
        note(k.provenance, by + fmt::format("NVLink bandwidth x{:.3f}", nvlink));
      }
      continue;
    }
    if (k.gb_per_s > 0 && k.gb_per_s < kLaunchBound) {
      k.gb_per_s *= hbm;
      if (k.at_sms > 0) k.at_sms = static_cast<int>(std::lround(k.at_sms * sms));
      note(k.provenance, by + fmt::format("HBM bandwidth x{:.3f}{}", hbm,
                                          k.at_sms > 0 ? fmt::format(", SMs held x{:.3f}", sms) : ""));
    }
    if (k.tflops > 0) {
      k.tflops *= bf16;
      note(k.provenance, by + fmt::format("BF16 tensor peak x{:.3f}", bf16));
    }
  }
  if (s.comm_gb_per_s_per_sm > 0) s.comm_gb_per_s_per_sm *= nvlink;
  if (s.memory_gb_per_s_per_sm > 0) s.memory_gb_per_s_per_sm *= hbm / sms;
  s.description = p.description + " " + scaling_statement(p, from, to);
  return s;
}

std::string scaling_statement(const Profile& p, const HardwareTraits& from, const HardwareTraits& to) {
  return fmt::format(
      "Calibration profile '{}' was measured on {} and is scaled to {} by the stated rule (docs/calibration.md, "
      "\"Profiles on other GPUs\"): efficiencies relative to peaks, time scales and launch times kept; "
      "memory-bound class bandwidths x{:.3f} (HBM), FlashMLA's compute roof x{:.3f} (BF16 peak), DeepEP "
      "low-latency rates x{:.3f} (NIC), per-SM copy rates and low-latency NVLink rates x{:.3f} (NVLink).",
      p.name, from.name, to.name, to.hbm_tb_per_s / from.hbm_tb_per_s, to.bf16_tflops / from.bf16_tflops,
      to.nic_gb_per_s / from.nic_gb_per_s, to.nvlink_gb_per_s / from.nvlink_gb_per_s);
}

}  // namespace v3sim::calibration
