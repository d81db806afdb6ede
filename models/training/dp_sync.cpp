#include "models/training/dp_sync.hpp"

#include <set>

#include "models/cluster_network.hpp"
#include "models/training/expert_groups.hpp"
#include "sim/engine.hpp"

namespace v3sim::models {
namespace {

constexpr double kGradBytes = 4;    // FP32 gradients (V3: weight gradients kept in high precision)
constexpr double kParamBytes = 2;   // BF16 parameters gathered after the update
// Optimizer step per parameter of the shard: read gradient (4), FP32 master
// (4) and two BF16 moments (4); write master, moments and the BF16 copy (10).
constexpr double kOptimizerBytes = 22;

}  // namespace

namespace {

std::set<int> rank_parts(const Schedule& schedule, int rank) {
  std::set<int> parts;
  for (std::size_t lane = 0; lane < schedule.rank_of.size(); ++lane)
    for (std::size_t st = 0; st < schedule.rank_of[lane].size(); ++st)
      if (schedule.rank_of[lane][st] == rank) parts.insert(schedule.part_of[lane][st]);
  return parts;
}

// Whether the rank's parts hold the embedding, and the output head.
std::pair<bool, bool> rank_ends(const StagePlan& plan, const std::set<int>& parts) {
  bool embedding = false, head = false;
  for (int part : parts)
    for (const BlockPlan& b : plan.parts[static_cast<std::size_t>(part)].blocks) {
      embedding |= b.kind == BlockKind::kEmbedding;
      head |= b.kind == BlockKind::kHead;
    }
  return {embedding, head};
}

}  // namespace

BlockParameters rank_parameters(const Schedule& schedule, const StagePlan& plan, int rank) {
  const std::set<int> parts = rank_parts(schedule, rank);
  BlockParameters p;
  for (int part : parts) {
    p.dense += plan.parts[static_cast<std::size_t>(part)].parameters.dense;
    p.routed += plan.parts[static_cast<std::size_t>(part)].parameters.routed;
  }
  if (const auto [embedding, head] = rank_ends(plan, parts); embedding && head) p.dense -= plan.tied_head;
  return p;
}

double tied_copy_parameters(const Schedule& schedule, const StagePlan& plan, int rank) {
  const auto [embedding, head] = rank_ends(plan, rank_parts(schedule, rank));
  return embedding != head ? plan.tied_head : 0;
}

DpSyncModel::DpSyncModel(const topologies::Cluster& cluster, const StepLayout& layout, const TrainingSpec& spec,
                         const GpuPreset& gpu, topologies::Router* router)
    : cluster_(cluster), layout_(layout), spec_(spec), gpu_(gpu), router_(router) {
  // Representative groups of rank 0 (every rank's groups have the same shape).
  std::vector<int> dense, routed;
  // Dense gradients: every data- and context-parallel GPU holding the same
  // tensor-parallel shard (Megatron reduces them over dp x cp).
  for (int d = 0; d < layout.dp; ++d)
    for (int c = 0; c < layout.cp; ++c) dense.push_back(layout.gpu(0, d) + c * layout.tp);
  // The routed experts' gradients: the GPUs holding the same experts
  // (models/training/expert_groups.hpp), tp x cp x dp / ep of them.
  for (int g = 0; g < layout.tp * layout.cp * layout.dp / layout.ep; ++g)
    routed.push_back(expert_member(0, layout.tp * layout.cp, layout.dp, layout.ep, g, 0));
  const bool all_reduce = spec.parallel.zero == 0;
  dense_ = fit_ring(dense, all_reduce);
  routed_ = fit_ring(routed, all_reduce);
  if (layout.pp > 1) mirror_ = fit_ring({layout.gpu(0, 0), layout.gpu(layout.pp - 1, 0)}, true);
}

DpSyncModel::Affine DpSyncModel::fit_ring(const std::vector<int>& gpus, bool all_reduce) const {
  if (gpus.size() < 2) return {};
  const auto n = static_cast<int>(gpus.size());
  // Every step of a ring moves bytes/n from each GPU to the next over the
  // same paths, so all steps take the time of one: simulate one step (its n
  // flows sharing the fabric) and multiply.
  auto run = [&](double bytes) {
    sim::TaskGraph g;
    ClusterNetwork net(cluster_, g, router_);
    const sim::ResourceId r = g.add_resource("collective step", sim::ResourceOrder::kReady, 0);
    for (int i = 0; i < n; ++i)
      g.add_flow(r, bytes / n,
                 net.links(net.router().gpu_path(gpus[static_cast<std::size_t>(i)],
                                                 gpus[static_cast<std::size_t>((i + 1) % n)],
                                                 static_cast<std::uint64_t>(gpus[static_cast<std::size_t>(i)]))));
    const int steps = (all_reduce ? 2 : 1) * (n - 1);
    return steps * sim::to_seconds(sim::run(g).makespan);
  };
  const double small = 1e6 * n, large = 1e9;
  const double ts = run(small), tl = run(large);
  Affine a;
  a.s_per_byte = (tl - ts) / (large - small);
  a.fixed_s = ts - a.s_per_byte * small;
  return a;
}

DpSyncTimes DpSyncModel::times(const BlockParameters& params, bool mirrored, double tied_copy) const {
  const int tp = spec_.parallel.tp, ep = spec_.parallel.ep;
  const double dense = params.dense / tp, routed = params.routed / ep;
  DpSyncTimes t;
  // DualPipe's mirrored ranks sum all their gradients; otherwise the first
  // and the last rank's copies of a tied embedding sum theirs, on the same
  // pair of GPUs (Megatron's embedding group).
  t.mirror_bytes = kGradBytes * (mirrored ? dense + routed : tied_copy / tp);
  t.mirror = sim::from_seconds(mirror_.seconds(t.mirror_bytes));
  // Dense and routed-expert groups reduce at the same time on different rings.
  t.reduce_scatter = sim::from_seconds(std::max(dense_.seconds(kGradBytes * dense), routed_.seconds(kGradBytes * routed)));
  const bool zero = spec_.parallel.zero == 1;
  const double expert_dp = static_cast<double>(layout_.tp) * layout_.cp * layout_.dp / layout_.ep;
  const double shard = zero ? dense / (layout_.dp * layout_.cp) + routed / expert_dp : dense + routed;
  const calibration::Profile& p = spec_.profile;
  t.optimizer = sim::from_seconds(calibration::memory_seconds(p, device_rates(gpu_), kOptimizerBytes * shard, gpu_.sms));
  // A ring all-gather takes the same steps as the reduce-scatter of equal size.
  if (zero)
    t.all_gather = sim::from_seconds(std::max(dense_.seconds(kParamBytes * dense), routed_.seconds(kParamBytes * routed)));
  return t;
}

}  // namespace v3sim::models
