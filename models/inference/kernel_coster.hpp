#pragma once
// Kernel time on one GPU of a serving deployment: the training cost model,
// FlashMLA's roofline (either release's class), tensor-parallel all-reduces as NVLink rings, and the
// routed experts of a GPU memoised by the rows it receives.
#include <cmath>
#include <map>
#include <vector>

#include "models/hardware.hpp"
#include "models/inference/decode_ops.hpp"
#include "models/inference/inference_ops.hpp"
#include "models/inference/inference_spec.hpp"
#include "models/training/stage_plan.hpp"

namespace v3sim::models {

// Costs kernels on one GPU: the training cost model, FlashMLA's roofline,
// tensor-parallel all-reduces as NVLink rings.
class KernelCoster {
 public:
  KernelCoster(const InferenceSpec& s, const GpuPreset& gpu, int sms)
      : s_(s), gpu_(gpu), rates_(device_rates(gpu)), sms_(sms) {}

  double seconds(const KernelOp& op) const {
    if (is_flash_mla(op))
      return calibration::roofline_seconds(s_.profile, rates_, s_.profile.kernel_class(op.kernel_class), op.bytes,
                                           op.flops, sms_);
    if (op.kind == KernelKind::kAllReduce) {
      const int tp = op.name.rfind("ffn_", 0) == 0 ? s_.deployment.dense_mlp_tp : s_.deployment.attention_tp;
      return 2.0 * (tp - 1) / tp * op.bytes / (gpu_.nvlink_achievable_gb_per_s * 1e9);
    }
    return kernel_seconds(op, s_.profile, rates_, sms_);
  }
  double seconds(const std::vector<KernelOp>& ops) const {
    double t = 0;
    for (const KernelOp& op : ops) t += seconds(op);
    return t;
  }
  // The routed experts of a GPU receiving `rows` copies (memoised by row count).
  double routed(double rows) {
    const auto key = static_cast<long long>(std::llround(rows));
    auto it = routed_.find(key);
    if (it != routed_.end()) return it->second;
    const double rows_key = static_cast<double>(key);
    const double t = seconds(s_.phase == InferencePhase::kPrefill
                                 ? routed_expert_ops(s_.model, rows_key, s_.deployment.experts_per_gpu)
                                 : decode_routed_expert_ops(s_.model, rows_key, s_.deployment.experts_per_gpu));
    routed_.emplace(key, t);
    return t;
  }

 private:
  const InferenceSpec& s_;
  const GpuPreset& gpu_;
  calibration::DeviceRates rates_;
  int sms_;
  std::map<long long, double> routed_;
};

}  // namespace v3sim::models
