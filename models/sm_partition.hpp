#pragma once
// The SM split of a GPU: communication kernels hold `comm_sms` SMs, compute
// kernels get the rest. A kernel's rate is a function of the SMs it holds;
// the default curve is linear (rate proportional to SMs), to be replaced by
// calibrated profiles. `offload` is the co-processor what-if: communication
// takes no SMs and has no SM cap.
namespace v3sim::models {

struct SmPartition {
  int total_sms = 132;
  int comm_sms = 20;
  bool offload = false;

  int compute_sms() const { return offload ? total_sms : total_sms - comm_sms; }
  // Fraction of the whole GPU's compute rate a kernel on `sms` SMs reaches.
  double rate_fraction(int sms) const { return sms <= 0 ? 0.0 : static_cast<double>(sms) / total_sms; }
  // How much longer a compute kernel timed on the whole GPU takes on the rest.
  double compute_slowdown() const { return 1.0 / rate_fraction(compute_sms()); }
  // The most bytes per second the communication kernel can move, given what
  // one SM moves; infinity when offloaded.
  double comm_cap(double bytes_per_s_per_sm) const;
};

}  // namespace v3sim::models
