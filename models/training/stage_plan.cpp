#include "models/training/stage_plan.hpp"

#include <cmath>
#include <map>

#include "models/training/context_ring.hpp"
#include "models/training/tp_overlap.hpp"

namespace v3sim::models {

int kernel_launches(const KernelOp& op) {
  return op.launches * (op.kind == KernelKind::kGemm && op.kernel_per_group ? static_cast<int>(op.shape.groups) : 1);
}

double kernel_seconds(const KernelOp& op, const calibration::Profile& p, const calibration::DeviceRates& d, int sms) {
  const calibration::KernelClassParams& k = p.kernel_class(op.kernel_class);
  const double launch = op.launches * k.launch_us * 1e-6;
  switch (op.kind) {
    case KernelKind::kGemm: {
      calibration::GemmShape shape = op.shape;
      if (op.kernel_per_group) shape.groups = 1;  // each kernel one group's GEMM
      return kernel_launches(op) * (k.launch_us * 1e-6 + k.time_scale * calibration::gemm_seconds(p, d, shape, op.precision, sms));
    }
    case KernelKind::kAttention:
      return launch + k.time_scale * calibration::attention_seconds(p, d, op.flops, op.pass != Pass::kForward, sms);
    case KernelKind::kMemory: return calibration::class_memory_seconds(p, d, k, op.bytes, op.launches, sms);
    default: return 0;
  }
}

namespace {

const char* component_key(Component c) {
  switch (c) {
    case Component::kAttention: return "attention";
    case Component::kDispatch: return "dispatch";
    case Component::kMlp: return "mlp";
    case Component::kCombine: return "combine";
  }
  return "";
}

}  // namespace

std::string component_label(Component c, Pass p) {
  return std::string(component_key(c)) + "(" + (p == Pass::kForward ? "F" : p == Pass::kInput ? "B" : "W") + ")";
}

// The framework's small kernels (profile.framework_launches, per layer and
// component) join the compute ops of their component and pass in a
// transformer layer.
std::vector<KernelOp> with_framework_ops(const std::vector<KernelOp>& ops, const calibration::Profile& p) {
  if (p.framework_launches.empty()) return ops;
  std::vector<KernelOp> out;
  std::map<std::string, bool> placed;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    out.push_back(ops[i]);
    const KernelOp& op = ops[i];
    const bool compute = op.kind != KernelKind::kAllToAll && op.kind != KernelKind::kAllReduce &&
                         op.kind != KernelKind::kContextRing && !op.comm_stream;
    if (!compute || op.second_stream) continue;
    const bool last_of_run = i + 1 == ops.size() || ops[i + 1].component != op.component || ops[i + 1].pass != op.pass;
    const std::string key = component_label(op.component, op.pass);
    const auto it = p.framework_launches.find(key);
    if (!last_of_run || it == p.framework_launches.end() || it->second == 0 || placed[key]) continue;
    placed[key] = true;
    KernelOp f;
    f.name = "framework_elementwise";
    f.kind = KernelKind::kMemory;
    f.pass = op.pass;
    f.component = op.component;
    f.kernel_class = "elementwise";
    f.launches = it->second;
    out.push_back(f);
  }
  return out;
}

namespace {

// The kernels the spec's hardware what-ifs make unnecessary.
std::vector<KernelOp> without_codesigned_kernels(std::vector<KernelOp> ops, const TrainingSpec& t) {
  std::erase_if(ops, [&](const KernelOp& op) {
    return (t.fused_fp8_quantization && (op.kernel_class == "cast_fp8" || op.kernel_class == "cast_back")) ||
           (t.transposed_gemm_operands && op.kernel_class == "cast_transpose");
  });
  return ops;
}

class BlockCoster {
 public:
  BlockCoster(const TrainingSpec& t, const GpuPreset& gpu, int sms)
      : t_(t), gpu_(gpu), profile_(t.profile), rates_(device_rates(gpu)),
        sms_(sms) {}

  BlockPlan plan(BlockKind kind) {
    std::vector<KernelOp> ops = without_codesigned_kernels(block_ops(t_.model, kind, op_context(t_)), t_);
    if (kind == BlockKind::kMoeLayer || kind == BlockKind::kDenseLayer || kind == BlockKind::kMtp)
      ops = with_framework_ops(ops, profile_);
    BlockPlan b{kind, {}, {}, {}};
    for (const KernelOp& op : ops) {
      std::vector<Segment>& list = op.pass == Pass::kForward ? b.forward : op.pass == Pass::kInput ? b.input : b.weight;
      add(list, op);
    }
    if (t_.parallel.tp > 1 && t_.parallel.tp_comm_overlap)
      for (auto* list : {&b.forward, &b.input}) overlap_tp_comm(*list, t_.parallel.tp);
    return b;
  }

 private:
  static void add_class(Segment& s, const std::string& cls, sim::Time d) {
    for (auto& [name, t] : s.classes)
      if (name == cls) {
        t += d;
        return;
      }
    s.classes.push_back({cls, d});
  }

  // The segment an op joins: comm kernels before an all-to-all join its
  // segment; second-stream kernels join their component's second-stream
  // segment of the current run.
  Segment& segment_for(std::vector<Segment>& list, const KernelOp& op, bool comm) {
    if (op.second_stream) {
      for (auto s = list.rbegin(); s != list.rend() && s->component == op.component; ++s)
        if (s->second_stream) return *s;
      Segment seg;
      seg.component = op.component;
      seg.second_stream = true;
      list.push_back(seg);
      return list.back();
    }
    const bool all_to_all = op.kind == KernelKind::kAllToAll;
    // A first-stream kernel after second-stream ones of its component joins
    // the first-stream segment before them.
    if (!comm && !list.empty() && list.back().second_stream && list.back().component == op.component)
      for (auto s = list.rbegin(); s != list.rend() && s->component == op.component; ++s)
        if (!s->second_stream && !s->comm) return *s;
    bool fresh = list.empty() || list.back().component != op.component || list.back().comm != comm ||
                 list.back().second_stream;
    // A comm segment holds one all-to-all, with the kernels launched before it.
    if (!fresh && comm && list.back().phase >= 0) fresh = true;
    if (!fresh && comm && !all_to_all && !op.comm_stream) fresh = true;  // all-reduce
    if (fresh) {
      Segment seg;
      seg.component = op.component;
      seg.comm = comm;
      list.push_back(seg);
    }
    return list.back();
  }

  void add(std::vector<Segment>& list, const KernelOp& op) {
    const bool comm = op.kind == KernelKind::kAllToAll || op.kind == KernelKind::kAllReduce ||
                      op.kind == KernelKind::kContextRing || op.comm_stream;
    Segment& s = segment_for(list, op, comm);
    // The host issues each kernel (its framework's ops on the launching
    // thread): forward on the caller's thread, backward on autograd's.
    const double host_us =
        op.pass == Pass::kForward ? profile_.host_forward_us_per_launch : profile_.host_backward_us_per_launch;
    s.host += sim::from_seconds(kernel_launches(op) * host_us * 1e-6);
    s.host_sync = s.host_sync || op.host_sync;
    if (op.kind == KernelKind::kAllToAll) {
      s.phase = static_cast<int>(!op.to_experts ? EpPhase::kFromExperts
                                 : op.fp8      ? EpPhase::kToExpertsFp8
                                               : EpPhase::kToExpertsBf16);
      s.phase_class = op.kernel_class;
      const calibration::KernelClassParams& k = profile_.kernel_class(op.kernel_class);
      s.phase_scale = k.time_scale;
      const sim::Time launch = sim::from_seconds(k.launch_us * 1e-6);
      s.fixed += launch;
      if (launch > 0) add_class(s, op.kernel_class, launch);
    } else if (op.kind == KernelKind::kAllReduce) {
      // Ring all-reduce inside the NVLink domain: 2(tp-1)/tp of the payload.
      const int tp = t_.parallel.tp;
      const sim::Time d = sim::from_seconds(2.0 * (tp - 1) / tp * op.bytes / (gpu_.nvlink_achievable_gb_per_s * 1e9));
      s.fixed += d;
      add_class(s, op.kernel_class, d);
    } else if (op.kind == KernelKind::kContextRing) {
      // Context parallelism's ring: only what the attention beside it does
      // not hide (models/training/context_ring.hpp). Neighbours of the ring
      // share an NVLink domain when tp x cp GPUs fit in one.
      const bool nvlink = t_.parallel.tp * t_.parallel.cp <= gpu_.gpus_per_nvlink_domain;
      const double bw = (nvlink ? gpu_.nvlink_achievable_gb_per_s : gpu_.nic_achievable_gb_per_s) * 1e9;
      const bool backward = op.pass != Pass::kForward;
      const double step = calibration::attention_seconds(profile_, rates_, (backward ? 2.5 : 1.0) * op.flops / t_.parallel.cp,
                                                         backward, sms_) *
                          profile_.kernel_class(backward ? backward_attention_class(op.beside_class) : op.beside_class).time_scale;
      const sim::Time d = sim::from_seconds(context_ring_exposed_s(op.bytes, bw, step, op.ring_steps));
      s.fixed += d;
      add_class(s, op.kernel_class, d);
    } else if (op.comm_stream) {
      // Layout, notify and cast kernels on the comm SMs.
      const int sms = t_.comm_offload || t_.comm_sms <= 0 ? sms_ : t_.comm_sms;
      const sim::Time d = sim::from_seconds(kernel_seconds(op, profile_, rates_, sms));
      (op.kernel_class == kNotifyClass ? s.notify : s.fixed) += d;
      add_class(s, op.kernel_class, d);
    } else {
      const sim::Time d = sim::from_seconds(kernel_seconds(op, profile_, rates_, sms_));
      // Routed-expert GEMMs scale with the tokens the GPU receives (full fidelity).
      const bool routed = op.kind == KernelKind::kGemm && op.name.rfind("experts_", 0) == 0;
      (routed ? s.expert : s.compute) += d;
      add_class(s, op.kernel_class, d);
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

namespace {

// The blocks a layer unit (a transformer layer or an MTP module) brings,
// wherever the split puts it: the first also brings the embedding, the MTP
// modules their shared head, and the main head follows the last main layer.
std::vector<BlockKind> unit_blocks(const ModelConfig& m, int unit, bool with_ends) {
  std::vector<BlockKind> kinds;
  if (unit == 0 && with_ends) kinds.push_back(BlockKind::kEmbedding);
  if (unit < m.layers) {
    kinds.push_back(unit < m.dense_layers ? BlockKind::kDenseLayer : BlockKind::kMoeLayer);
    if (unit + 1 == m.layers && with_ends) kinds.push_back(BlockKind::kHead);
  } else {
    kinds.push_back(BlockKind::kMtp);
    kinds.push_back(BlockKind::kHead);  // the MTP module shares the output head
  }
  return kinds;
}

sim::Time compute_time(const BlockPlan& b) {
  sim::Time t = 0;
  for (const auto* list : {&b.forward, &b.input, &b.weight})
    for (const Segment& s : *list)
      if (!s.comm) t += s.compute + s.expert;
  return t;
}

// Per-rank compute of a split: each rank runs every part it holds.
std::vector<sim::Time> rank_costs(const std::vector<int>& counts, const std::vector<sim::Time>& unit_cost,
                                  const std::vector<std::vector<int>>& rank_parts) {
  std::vector<sim::Time> part_cost;
  std::size_t u = 0;
  for (int c : counts) {
    sim::Time sum = 0;
    for (int i = 0; i < c; ++i) sum += unit_cost[u++];
    part_cost.push_back(sum);
  }
  std::vector<sim::Time> ranks;
  for (const std::vector<int>& parts : rank_parts) {
    sim::Time sum = 0;
    for (int p : parts) sum += part_cost[static_cast<std::size_t>(p)];
    ranks.push_back(sum);
  }
  return ranks;
}

// (largest rank cost, sum of squares): smaller is better.
std::pair<sim::Time, double> score(const std::vector<sim::Time>& ranks) {
  sim::Time worst = 0;
  double squares = 0;
  for (sim::Time r : ranks) {
    worst = std::max(worst, r);
    squares += static_cast<double>(r) * static_cast<double>(r);
  }
  return {worst, squares};
}

// Moves single layers across part boundaries while the busiest rank gets
// lighter (then the spread narrows): a deterministic local search from the
// even split.
std::vector<int> balance(std::vector<int> counts, const std::vector<sim::Time>& unit_cost,
                         const std::vector<std::vector<int>>& rank_parts) {
  auto best = score(rank_costs(counts, unit_cost, rank_parts));
  for (int round = 0; round < 100000; ++round) {
    std::vector<int> pick;
    for (std::size_t b = 0; b + 1 < counts.size(); ++b)
      for (int dir : {-1, 1}) {
        std::vector<int> c = counts;
        c[b] += dir;
        c[b + 1] -= dir;
        if (c[b] < 1 || c[b + 1] < 1) continue;
        const auto sc = score(rank_costs(c, unit_cost, rank_parts));
        if (sc < best) {
          best = sc;
          pick = c;
        }
      }
    if (pick.empty()) break;
    counts = pick;
  }
  return counts;
}

}  // namespace

StagePlan plan_stages(const TrainingSpec& t, const GpuPreset& gpu, int parts, bool with_ends,
                      const std::vector<std::vector<int>>& rank_parts) {
  StagePlan plan;
  plan.compute_sms = t.comm_offload ? gpu.sms : gpu.sms - t.comm_sms;
  plan.beside_comm_slowdown = t.comm_offload ? 1 : t.profile.overlap_compute_slowdown;
  plan.main_beside_second = t.profile.main_beside_second_slowdown;
  plan.second_beside_main = t.profile.second_beside_main_slowdown;
  plan.host_issue = t.profile.host_forward_us_per_launch > 0 || t.profile.host_backward_us_per_launch > 0;
  plan.tied_head = tied_head_saving(t.model);
  BlockCoster coster(t, gpu, plan.compute_sms);
  std::map<BlockKind, BlockPlan> memo;
  std::map<BlockKind, std::pair<double, double>> saved_and_flops;
  auto block = [&](BlockKind k) -> const BlockPlan& {
    if (!memo.count(k)) {
      memo.emplace(k, coster.plan(k));
      const auto ops = block_ops(t.model, k, op_context(t));
      saved_and_flops[k] = {saved_activation_bytes(ops), pass_model_flops(ops, Pass::kForward) +
                                                             pass_model_flops(ops, Pass::kInput) +
                                                             pass_model_flops(ops, Pass::kWeight)};
    }
    return memo.at(k);
  };
  const int units = t.model.layers + t.model.mtp_depth;
  std::vector<std::vector<BlockKind>> unit_kinds;
  std::vector<sim::Time> unit_cost;
  for (int u = 0; u < units; ++u) {
    unit_kinds.push_back(unit_blocks(t.model, u, with_ends));
    sim::Time cost = 0;
    for (BlockKind k : unit_kinds.back()) cost += compute_time(block(k));
    unit_cost.push_back(cost);
  }
  std::vector<int> counts = layers_per_part(t, parts);
  if (t.parallel.balance_layers && parts > 1) {
    std::vector<std::vector<int>> ranks = rank_parts;
    if (ranks.empty())
      for (int p = 0; p < parts; ++p) ranks.push_back({p});
    counts = balance(counts, unit_cost, ranks);
  }
  int unit = 0;
  for (int p = 0; p < parts; ++p) {
    PartPlan part;
    std::vector<BlockKind> kinds;
    std::vector<int> kind_units;
    for (int i = 0; i < counts[static_cast<std::size_t>(p)]; ++i, ++unit) {
      const std::vector<BlockKind>& k = unit_kinds[static_cast<std::size_t>(unit)];
      kinds.insert(kinds.end(), k.begin(), k.end());
      kind_units.insert(kind_units.end(), k.size(), unit);
      ++part.layers;
    }
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      const BlockKind k = kinds[i];
      part.blocks.push_back(block(k));
      part.blocks.back().unit = kind_units[i];
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

OpContext op_context(const TrainingSpec& t) {
  OpContext c;
  c.sequences = t.micro_batch;
  c.seq_len = t.seq_len;
  c.ep = t.parallel.ep;
  c.tp = t.parallel.tp;
  c.cp = t.parallel.cp;
  c.fp8 = t.fp8;
  c.recompute = t.recompute;
  c.sequence_parallel = t.parallel.sequence_parallel && t.parallel.tp > 1;
  c.kernel_per_expert = t.framework == Framework::kMegatron;
  c.fp8_dispatch = t.framework != Framework::kMegatron;
  c.token_counts_to_host = t.framework == Framework::kMegatron;
  return c;
}

}  // namespace v3sim::models
