#include "models/training/kernel_demand.hpp"

namespace v3sim::models {

LayerDemand layer_pair_demand(const TrainingSpec& spec, const GpuPreset& gpu,
                              const std::array<sim::Time, kEpPhases>& phase_time) {
  calibration::Profile base = spec.profile;
  base.kernel_classes.clear();
  base.framework_launches.clear();
  const calibration::DeviceRates rates = device_rates(gpu);
  const int compute_sms = spec.comm_offload ? gpu.sms : gpu.sms - spec.comm_sms;
  const OpContext ctx = op_context(spec);
  const BlockKind kind = spec.model.is_moe() ? BlockKind::kMoeLayer : BlockKind::kDenseLayer;

  LayerDemand out;
  std::map<std::string, std::size_t> index;
  auto entry = [&](const std::string& cls, calibration::ClassForm form) -> calibration::ClassDemand& {
    auto it = index.find(cls);
    if (it == index.end()) {
      it = index.emplace(cls, out.classes.size()).first;
      calibration::ClassDemand d;
      d.cls = cls;
      d.form = form;
      d.sms = compute_sms;
      out.classes.push_back(d);
    }
    return out.classes[it->second];
  };
  for (const KernelOp& op : block_ops(spec.model, kind, ctx)) {
    if (op.kernel_class.empty() || op.kind == KernelKind::kAllReduce || op.kind == KernelKind::kContextRing) continue;
    const int sms = op.comm_stream && !spec.comm_offload ? spec.comm_sms : compute_sms;
    switch (op.kind) {
      case KernelKind::kAllToAll: {
        const EpPhase ph = !op.to_experts ? EpPhase::kFromExperts
                           : op.fp8       ? EpPhase::kToExpertsFp8
                                          : EpPhase::kToExpertsBf16;
        const double s = sim::to_seconds(phase_time[static_cast<std::size_t>(ph)]);
        calibration::ClassDemand& d = entry(op.kernel_class, calibration::ClassForm::kScale);
        d.model_seconds += s;
        d.launches += 1;
        out.base_ms[op.kernel_class] += s * 1e3;
        break;
      }
      case KernelKind::kGemm:
      case KernelKind::kAttention: {
        const double s = kernel_seconds(op, base, rates, sms);
        calibration::ClassDemand& d = entry(op.kernel_class, calibration::ClassForm::kScale);
        d.model_seconds += s;
        d.launches += op.launches;
        out.base_ms[op.kernel_class] += s * 1e3;
        break;
      }
      default: {
        // Bytes moved on fewer SMs count as more bytes on the class's SMs
        // (a memory-bound kernel's rate scales with the SMs it holds).
        calibration::ClassDemand& d = entry(op.kernel_class, op.kernel_class == kNotifyClass ? calibration::ClassForm::kMechanism
                                                             : op.bytes > 0 ? calibration::ClassForm::kBandwidth
                                                                            : calibration::ClassForm::kLaunch);
        if (op.bytes > 0) d.form = calibration::ClassForm::kBandwidth;
        d.bytes += op.bytes * compute_sms / std::max(1, sms);
        d.launches += op.launches;
        out.base_ms[op.kernel_class] += kernel_seconds(op, base, rates, sms) * 1e3;
        break;
      }
    }
  }
  return out;
}

}  // namespace v3sim::models
