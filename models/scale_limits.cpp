#include "models/scale_limits.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>

#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

// Tasks per (simulated GPU, micro-batch, layer) of a training step, measured
// on the shipped V3 step: 84,600 tasks for 16 ranks x 120 micro-batches x
// ~4 layers in reduced fidelity (about 11); 1.8 M tasks for 256 GPUs in full
// fidelity (about 10; its all-to-all flows exist only in flight and are not
// held, so they cost time, not memory).
constexpr double kReducedPerLayer = 12;
constexpr double kFullPerLayer = 12;

double gpus_of(const ClusterConfig& c) { return static_cast<double>(c.spec.nodes) * c.spec.node.gpus; }

ScaleEstimate training(const Scenario& s) {
  const TrainingSpec& t = *s.training;
  const double gpus = gpus_of(*s.cluster);
  const double pp = t.parallel.pp, dp = gpus / (pp * t.parallel.tp * t.parallel.cp);
  const double mb = t.chunk_pair ? 2 : std::max(1.0, static_cast<double>(t.global_batch) / (dp * t.micro_batch));
  const double layers = t.model.layers + t.model.mtp_depth;
  const double per_rank = std::ceil(layers / pp) + 2;  // + embedding, head and loss
  const bool full = t.fidelity == Fidelity::kFull;
  const double ranks = full ? gpus / t.parallel.tp : pp;
  // The routing draw: every token of an EP group picks top-k experts; a
  // route costs about an eighth of a task.
  const double routes = t.model.is_moe() ? static_cast<double>(t.parallel.ep) * t.seq_len * t.micro_batch * t.model.topk : 0;
  ScaleEstimate e;
  e.tasks = ranks * mb * per_rank * (full ? kFullPerLayer : kReducedPerLayer);
  e.items = e.tasks + routes / 8;
  // Full fidelity: each MoE layer's four all-to-alls (dispatch and combine,
  // forward and backward) as DeepEP moves them, from every GPU: one flow to
  // the same-index GPU of each other node of its group, one over NVLink to
  // each other GPU of its node the group spans (measured: 7 for EP8 in a
  // node, 14 for EP64 over 8 nodes).
  if (full && t.model.is_moe() && t.parallel.ep > 1) {
    const double per_node = s.cluster->spec.node.gpus, ep = t.parallel.ep;
    const double nodes_spanned = std::ceil(ep / per_node), in_node = std::min(ep, per_node);
    const double moe_per_rank = (t.model.moe_layers() + t.model.mtp_depth) / pp;
    e.flows = ranks * mb * moe_per_rank * 4 * ((nodes_spanned - 1) + (in_node - 1));
  }
  e.detail = fmt::format("{:.0f} simulated ranks x {:.0f} micro-batches x {:.0f} layers per rank, {:.3g} token routes",
                         ranks, mb, per_rank, routes);
  if (routes / 8 > e.items / 2)
    e.pointer = "/training/seq_len";
  else if (mb > 1e4)
    e.pointer = "/training/global_batch";
  else if (per_rank > 1e3)
    e.pointer = "/model_overrides/layers";
  else
    e.pointer = full ? "/fidelity" : "/cluster/nodes";
  return e;
}

ScaleEstimate inference(const Scenario& s) {
  const InferenceSpec& in = *s.inference;
  const bool prefill = in.phase == InferencePhase::kPrefill;
  const double gpus = std::max<double>(in.deployment.ep, 1);
  const double layers = in.model.layers + in.mtp_depth;
  const double tokens = prefill ? static_cast<double>(in.tokens_per_gpu) : static_cast<double>(in.requests_per_gpu);
  // Per GPU and layer: a dozen kernels per micro-batch, the expert load of
  // every placed expert, and (prefill) every token's routes as flows.
  const double per_layer = 2 * 12 + in.placed_experts() + (prefill ? tokens * in.selections() / 64 : 0);
  ScaleEstimate e;
  e.items = gpus * layers * per_layer;
  e.detail = fmt::format("{:.0f} GPUs x {:.0f} layers x {:.0f} items per layer", gpus, layers, per_layer);
  e.pointer = layers > 1e3 ? "/workload/model_overrides/layers" : "/workload/deployment/ep";
  return e;
}

ScaleEstimate ep_alltoall(const Scenario& s) {
  const EpAllToAllSpec& a = *s.ep_alltoall;
  ScaleEstimate e;
  // Every token's routes are drawn; flows are per (source, destination, phase).
  e.items = static_cast<double>(a.ep) * a.tokens_per_rank * a.topk + 4.0 * a.ep * a.ep;
  e.detail = fmt::format("{} ranks x {} tokens x top-{} routes", a.ep, a.tokens_per_rank, a.topk);
  e.pointer = a.tokens_per_rank > 1e5 ? "/workload/tokens_per_rank" : "/workload/ep";
  return e;
}

ScaleEstimate abstract(const Scenario& s) {
  const ScheduleSpec& k = s.schedule;
  ScaleEstimate e;
  e.items = 3.0 * k.stages * k.microbatches * k.chunks;  // F, B (or I) and W per stage and micro-batch
  e.detail = fmt::format("{} stages x {} micro-batches x {} chunks", k.stages, k.microbatches, k.chunks);
  e.pointer = k.microbatches > 1000 * k.stages ? "/schedule/microbatches" : "/schedule/stages";
  return e;
}


double mean_length(const LengthDist& d) {
  switch (d.kind) {
    case LengthDist::Kind::kFixed: return d.value;
    case LengthDist::Kind::kUniform: return (d.min + d.max) / 2.0;
    case LengthDist::Kind::kLognormal: return std::min<double>(d.max, d.median * std::exp(d.sigma * d.sigma / 2));
  }
  return 0;
}

// A serving run holds the requests it has loaded (a trace, superposed
// copies: each its state and prefix blocks, a block key a thirty-second of
// an item) or, from a streamed synthetic source, only those in the system:
// at most what the decode pool runs plus as many waiting. Each unit's step
// simulations are sequential, so the larger unit's step counts once.
ScaleEstimate serving(const Scenario& s) {
  const ServingSpec& v = *s.serving;
  ScaleEstimate e;
  double requests = 0, per_request = 1;
  const bool streamed = v.source.synthetic && v.source.copies == 1 && v.source.limit == 0;
  if (v.source.synthetic) {
    const SyntheticSource& g = v.source.gen;
    double expected = static_cast<double>(g.requests);
    if (!g.hourly_rate_per_s.empty()) {
      double sum = 0;
      for (double r : g.hourly_rate_per_s) sum += r * 3600;
      expected = std::min(expected, sum);
    }
    requests = expected * v.source.copies;
    if (streamed)
      requests = std::min(requests, 2.0 * v.decode.units * v.decode.unit.deployment.ep * v.decode.max_requests_per_gpu);
    per_request = 1 + (g.hit_ratio >= 0 ? 0 : mean_length(g.input) / v.source.block_tokens / 32);
  } else {
    // About a hundred bytes a request in every trace format; a few items each.
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(v.source.file, ec);
    requests = ec ? 0 : static_cast<double>(bytes) / 100 * v.source.copies;
    per_request = 4;
  }
  const double unit = std::max(v.prefill.unit.deployment.ep, v.decode.unit.deployment.ep) *
                      (v.model.layers + 1.0) * (24 + v.model.routed_experts + 1.0);
  e.items = requests * per_request + unit;
  e.detail = fmt::format("{:.0f} requests held x {:.0f} items each (state, prefix blocks), and a unit step of {:.0f}",
                         requests, per_request, unit);
  e.pointer = requests * per_request > unit ? (v.source.synthetic ? "/workload/source/requests" : "/workload/source/file")
                                            : "/workload/decode/deployment/ep";
  return e;
}

}  // namespace

RunCost estimate_run_cost(const ScaleEstimate& e) {
  // Measured (docs/benchmarks.md, session 16) on full-fidelity DeepSeek-V3
  // steps, one core of the reference VM: 3.38 GB for 22.2 M tasks (128
  // GPUs, EP8) and 3.22 GB for 21.8 M (2048 GPUs, EP64); 93 s and 121 s for
  // 22.2 M tasks and 25.8 M flows (128 and 256 GPUs, EP8 in a node), 247 s for
  // 21.8 M tasks and 51.2 M flows (2048 GPUs, EP64). With a task's own work
  // at about 1.5 us, a flow costs 2.3 to 4.2 us: more where more flows share
  // the links the solver updates together; the range spans them.
  constexpr double kBytesPerTask = 190;  // per estimated task (the estimate counts about 20% fewer)
  constexpr double kSecondsPerTask = 1.5e-6;
  constexpr double kSecondsPerFlowLow = 2.3e-6, kSecondsPerFlowHigh = 4.5e-6;
  RunCost c;
  c.bytes = e.tasks * kBytesPerTask;
  c.seconds_low = e.tasks * kSecondsPerTask + e.flows * kSecondsPerFlowLow;
  c.seconds_high = e.tasks * kSecondsPerTask + e.flows * kSecondsPerFlowHigh;
  return c;
}

ScaleEstimate estimate_scale(const Scenario& s) {
  if (s.serving) return serving(s);
  if (s.training) return training(s);
  if (s.inference) return inference(s);
  if (s.ep_alltoall) return ep_alltoall(s);
  if (s.has_pipeline) return abstract(s);
  return {};
}

void check_scale(const Scenario& s, const ScaleLimits& limits) {
  if (!limits.enforced) return;
  if (s.cluster && gpus_of(*s.cluster) > limits.max_gpus)
    throw sim::InputError("/cluster/nodes", fmt::format("{:.0f} GPUs pass the limit of {:.0f} (--no-size-limits lifts it)",
                                                        gpus_of(*s.cluster), limits.max_gpus));
  const ScaleEstimate e = estimate_scale(s);
  if (e.items > limits.max_items)
    throw sim::InputError(e.pointer, fmt::format("the run would simulate about {:.2g} tasks and flows ({}), beyond the "
                                                 "limit of {:.2g} (about {:.0f} GB); make it smaller or pass "
                                                 "--no-size-limits",
                                                 e.items, e.detail, limits.max_items, limits.max_items * 300e-9));
}

}  // namespace v3sim::models
