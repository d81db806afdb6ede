#include "models/training/stage_plan.hpp"

#include <cmath>
#include <map>

namespace v3sim::models {
namespace {

// Seconds of one compute kernel on `sms` SMs under the profile.
double kernel_seconds(const KernelOp& op, const calibration::Profile& p, const calibration::DeviceRates& d, int sms) {
  switch (op.kind) {
    case KernelKind::kGemm: return calibration::gemm_seconds(p, d, op.shape, op.precision, sms);
    case KernelKind::kAttention: return calibration::attention_seconds(p, d, op.flops, op.pass != Pass::kForward, sms);
    case KernelKind::kMemory: return calibration::memory_seconds(p, d, op.bytes, sms);
    default: return 0;
  }
}

class BlockCoster {
 public:
  BlockCoster(const TrainingSpec& t, const GpuPreset& gpu, int sms)
      : t_(t), gpu_(gpu), profile_(t.profile), rates_(device_rates(gpu)),
        sms_(sms) {}

  BlockPlan plan(BlockKind kind) {
    OpContext ctx;
    ctx.sequences = t_.micro_batch;
    ctx.seq_len = t_.seq_len;
    ctx.ep = t_.parallel.ep;
    ctx.tp = t_.parallel.tp;
    ctx.fp8 = t_.fp8;
    const std::vector<KernelOp> ops = block_ops(t_.model, kind, ctx);
    BlockPlan b{kind, {}, {}, {}};
    for (const KernelOp& op : ops) {
      std::vector<Segment>& list = op.pass == Pass::kForward ? b.forward : op.pass == Pass::kInput ? b.input : b.weight;
      add(list, op);
    }
    return b;
  }

 private:
  void add(std::vector<Segment>& list, const KernelOp& op) {
    const bool comm = op.kind == KernelKind::kAllToAll || op.kind == KernelKind::kAllReduce;
    if (list.empty() || list.back().component != op.component || list.back().comm != comm ||
        (comm && op.kind == KernelKind::kAllToAll))
      list.push_back(Segment{op.component, comm, 0, 0, -1, 0});
    Segment& s = list.back();
    if (op.kind == KernelKind::kAllToAll) {
      s.phase = static_cast<int>(!op.to_experts ? EpPhase::kFromExperts
                                 : op.fp8      ? EpPhase::kToExpertsFp8
                                               : EpPhase::kToExpertsBf16);
    } else if (op.kind == KernelKind::kAllReduce) {
      // Ring all-reduce inside the NVLink domain: 2(tp-1)/tp of the payload.
      const int tp = t_.parallel.tp;
      s.fixed += sim::from_seconds(2.0 * (tp - 1) / tp * op.bytes / (gpu_.nvlink_achievable_gb_per_s * 1e9));
    } else {
      const sim::Time d = sim::from_seconds(kernel_seconds(op, profile_, rates_, sms_));
      (op.kind == KernelKind::kGemm && op.shape.groups > 1 ? s.expert : s.compute) += d;
    }
  }

  const TrainingSpec& t_;
  const GpuPreset& gpu_;
  const calibration::Profile& profile_;
  calibration::DeviceRates rates_;
  int sms_;
};

}  // namespace

calibration::DeviceRates device_rates(const GpuPreset& gpu) {
  return calibration::DeviceRates{gpu.fp8_dense_tflops, gpu.bf16_dense_tflops, gpu.hbm_tb_per_s, gpu.sms};
}

std::vector<int> layers_per_part(const TrainingSpec& t, int parts) {
  if (!t.parallel.layers_per_part.empty()) return t.parallel.layers_per_part;
  const int units = t.model.layers + t.model.mtp_depth;
  std::vector<int> n(static_cast<std::size_t>(parts), units / parts);
  int extra = units % parts;
  // Middle parts first: the end parts also carry the embedding and the head.
  for (int i = 1; i + 1 < parts && extra > 0; ++i, --extra) ++n[static_cast<std::size_t>(i)];
  if (extra > 0) ++n.back(), --extra;
  if (extra > 0) ++n.front();
  return n;
}

StagePlan plan_stages(const TrainingSpec& t, const GpuPreset& gpu, int parts, bool with_ends) {
  StagePlan plan;
  plan.compute_sms = t.comm_offload ? gpu.sms : gpu.sms - t.comm_sms;
  plan.pair_compute_slowdown = t.comm_offload ? 1 : t.profile.overlap_compute_slowdown;
  BlockCoster coster(t, gpu, plan.compute_sms);
  std::map<BlockKind, BlockPlan> memo;
  std::map<BlockKind, std::pair<double, double>> saved_and_flops;
  auto block = [&](BlockKind k) -> const BlockPlan& {
    if (!memo.count(k)) {
      memo.emplace(k, coster.plan(k));
      OpContext ctx{t.micro_batch, t.seq_len, t.parallel.ep, t.parallel.tp, t.fp8};
      const auto ops = block_ops(t.model, k, ctx);
      saved_and_flops[k] = {saved_activation_bytes(ops), pass_model_flops(ops, Pass::kForward) +
                                                             pass_model_flops(ops, Pass::kInput) +
                                                             pass_model_flops(ops, Pass::kWeight)};
    }
    return memo.at(k);
  };
  const std::vector<int> counts = layers_per_part(t, parts);
  int unit = 0;
  const int main_layers = t.model.layers;
  for (int p = 0; p < parts; ++p) {
    PartPlan part;
    std::vector<BlockKind> kinds;
    if (p == 0 && with_ends) kinds.push_back(BlockKind::kEmbedding);
    for (int i = 0; i < counts[static_cast<std::size_t>(p)]; ++i, ++unit) {
      if (unit < main_layers) {
        kinds.push_back(unit < t.model.dense_layers ? BlockKind::kDenseLayer : BlockKind::kMoeLayer);
      } else {
        if (unit == main_layers && with_ends) kinds.push_back(BlockKind::kHead);
        kinds.push_back(BlockKind::kMtp);
        kinds.push_back(BlockKind::kHead);  // the MTP module shares the output head
      }
      ++part.layers;
    }
    if (p + 1 == parts && unit == main_layers && with_ends) kinds.push_back(BlockKind::kHead);
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      const BlockKind k = kinds[i];
      part.blocks.push_back(block(k));
      // A head after an MTP module is the shared output head: no new parameters.
      if (!(k == BlockKind::kHead && i > 0 && kinds[i - 1] == BlockKind::kMtp)) {
        const BlockParameters bp = block_parameters(t.model, k);
        part.parameters.dense += bp.dense;
        part.parameters.routed += bp.routed;
      }
      part.saved_bytes += saved_and_flops[k].first;
      part.model_flops += saved_and_flops[k].second;
    }
    plan.parts.push_back(std::move(part));
  }
  return plan;
}

}  // namespace v3sim::models
