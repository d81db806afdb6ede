#include "models/training/training_step.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <optional>

#include "models/moe/ep_alltoall.hpp"
#include "models/moe/ep_flows.hpp"
#include "models/schedule/ep_overlap.hpp"
#include "models/training/chunk_pair.hpp"
#include "models/training/expert_groups.hpp"
#include "sim/json_reader.hpp"
#include "topologies/build_cluster.hpp"
#include "topologies/routing.hpp"

namespace v3sim::models {
namespace {

EpAllToAllSpec ep_spec(const TrainingSpec& t) {
  EpAllToAllSpec e;
  e.ep = t.parallel.ep;
  // Each GPU of a TP group routes its own share (MoE parallel folding).
  e.tokens_per_rank = t.micro_batch * t.seq_len / (t.parallel.tp * t.parallel.cp);
  e.hidden = t.model.hidden;
  e.topk = t.model.topk;
  e.experts = t.model.routed_experts;
  e.groups = t.model.expert_groups;
  e.group_limit = t.model.group_limit;
  e.comm_sms = t.comm_sms;
  e.comm_offload = t.comm_offload;
  e.skew = t.routing_skew;
  e.seed = t.routing_seed;
  return e;
}

std::shared_ptr<const TokenRouting> draw_routing(const EpAllToAllSpec& e, int gpus_per_node) {
  RoutingSpec rs;
  rs.ranks = e.ep;
  rs.ranks_per_node = gpus_per_node;
  rs.tokens_per_rank = e.tokens_per_rank;
  rs.experts = e.experts;
  rs.topk = e.topk;
  rs.groups = e.groups;
  rs.group_limit = e.group_limit;
  rs.skew = e.skew;
  rs.seed = e.seed;
  return route_tokens_memoised(rs);
}

// The bottleneck bandwidth and summed latency of the path between two GPUs.
sim::Time transfer_time(const topologies::Cluster& c, topologies::Router& router, int from, int to, double bytes) {
  double bw = std::numeric_limits<double>::infinity();
  sim::Time latency = 0;
  for (const topologies::EdgeId& e : router.gpu_path(from, to, 0)) {
    bw = std::min(bw, c.graph[e].bandwidth);
    latency += c.graph[e].latency;
  }
  return latency + sim::from_seconds(bytes / bw);
}

// The reduced replica's slowest EP member, stated.
std::string fmt_scale(double scale) {
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "shortcut: each stage's EP group is two members, the typical one reported and the slowest (%.3fx "
                "the mean token copies, so its routed-expert GEMMs take that much longer); the typical member's "
                "every all-to-all waits for the slowest member to launch its own, and both exchange at the "
                "memoised phase time",
                scale);
  return buf;
}

}  // namespace

TrainingResult simulate_training(const ClusterConfig& cluster, const TrainingSpec& spec_in) {
  // The profile carried to the cluster's GPU by the stated rule, if it was measured on another.
  std::string scaled;
  TrainingSpec spec = spec_in;
  spec.profile = profile_for_gpu(spec_in.profile, cluster.gpu, scaled);
  const auto t0 = std::chrono::steady_clock::now();
  const topologies::Cluster c = topologies::build_cluster(cluster.spec);
  topologies::Router router(c);  // one per cluster: EP phases, the step graph and the DP rings share its caches
  TrainingResult r;
  r.spec = spec;
  r.gpus = static_cast<int>(c.gpus.size());
  r.dp = data_parallel(spec, r.gpus);
  r.microbatches = microbatches_per_pipeline(spec, r.gpus);
  const int ep = spec.parallel.ep;
  if (ep > c.gpus_per_node && ep % c.gpus_per_node != 0)
    throw sim::InputError("/parallelism/ep", "expected whole nodes of " + std::to_string(c.gpus_per_node) + " GPUs");
  if (!spec.comm_offload && spec.comm_sms >= cluster.gpu.sms)
    throw sim::InputError("/overlap/comm_sms", "expected fewer than the GPU's " + std::to_string(cluster.gpu.sms) + " SMs");

  const Schedule schedule = spec.chunk_pair   ? chunk_pair_schedule()
                            : spec.ep_overlap ? with_ep_overlap(make_schedule(schedule_spec(spec, r.gpus)))
                                              : make_schedule(schedule_spec(spec, r.gpus));
  std::vector<std::vector<int>> rank_parts(static_cast<std::size_t>(schedule.ranks));
  for (std::size_t lane = 0; lane < schedule.rank_of.size(); ++lane)
    for (std::size_t st = 0; st < schedule.rank_of[lane].size(); ++st) {
      std::vector<int>& held = rank_parts[static_cast<std::size_t>(schedule.rank_of[lane][st])];
      if (std::find(held.begin(), held.end(), schedule.part_of[lane][st]) == held.end())
        held.push_back(schedule.part_of[lane][st]);
    }
  r.plan = plan_stages(spec, cluster.gpu, schedule.model_parts, !spec.chunk_pair, rank_parts);
  if (spec.chunk_pair) r.microbatches = 2;
  StepLayout layout{spec.parallel.pp, r.dp, ep, spec.parallel.tp, spec.fidelity, spec.chunk_pair, spec.parallel.cp};

  // The all-to-all phases and the pipeline transfer.
  StepNetwork net;
  const EpAllToAllSpec e = ep_spec(spec);
  std::shared_ptr<const TokenRouting> routing;
  net.bytes_per_token = {token_bytes("fp8", e.hidden), token_bytes("bf16", e.hidden), token_bytes("bf16", e.hidden)};
  const SmPartition sms{cluster.gpu.sms, spec.comm_sms, spec.comm_offload};
  // The profile's measured comm-SM rate, when it has one, replaces the preset's.
  const double per_sm =
      (spec.profile.comm_gb_per_s_per_sm > 0 ? spec.profile.comm_gb_per_s_per_sm : cluster.gpu.comm_gb_per_s_per_sm) * 1e9;
  net.comm_cap_bytes_per_s = sms.comm_cap(per_sm);
  if (ep > 1) {
    routing = draw_routing(e, c.gpus_per_node);
    // Full fidelity simulates every all-to-all as flows, and uses the phase
    // times only to size each kernel's in-training slowdown.
    for (int ph = 0; ph < kEpPhases; ++ph) {
      EpAllToAllSpec pe = e;
      pe.dispatch_dtype = ph == static_cast<int>(EpPhase::kToExpertsFp8) ? "fp8" : "bf16";
      pe.combine_dtype = "bf16";
      net.phase_time[static_cast<std::size_t>(ph)] =
          simulate_ep_phase(c, pe, *routing, sms, per_sm, ph == static_cast<int>(EpPhase::kFromExperts), &router).time;
    }
    // The traffic of each phase, for the trace's link counters.
    std::vector<int> members(static_cast<std::size_t>(ep));
    for (int i = 0; i < ep; ++i) members[static_cast<std::size_t>(i)] = i;
    for (int ph = 0; ph < kEpPhases; ++ph)
      for (const EpFlow& f : ep_phase_flows(router, members, *routing, net.bytes_per_token[static_cast<std::size_t>(ph)],
                                            ph == static_cast<int>(EpPhase::kFromExperts)))
        (f.by_sms ? r.phase_nvlink_bytes : r.phase_rdma_bytes)[static_cast<std::size_t>(ph)] += f.bytes / ep;
  }
  // The BF16 hidden state between stages: with sequence parallelism each GPU
  // of a TP group sends its 1/tp of the sequence (Megatron's P2P of the
  // sequence-parallel shard), without it the whole.
  const double stage_tokens = static_cast<double>(spec.micro_batch) * spec.seq_len / spec.parallel.cp /
                              (spec.parallel.sequence_parallel ? spec.parallel.tp : 1);
  const double activation_bytes = stage_tokens * spec.model.hidden * 2;
  net.p2p_bytes = activation_bytes;
  net.p2p_time = spec.parallel.pp > 1 ? transfer_time(c, router, layout.gpu(0, 0), layout.gpu(1, 0), activation_bytes) : 0;
  if (ep > 1) {
    // The slowest member receives the most token copies; a typical member
    // (the reduced replica) receives the mean.
    std::vector<double> received(static_cast<std::size_t>(ep), 0.0);
    double total = 0;
    for (int from = 0; from < routing->ranks; ++from)
      for (int to = 0; to < routing->ranks; ++to) {
        received[static_cast<std::size_t>(to)] += static_cast<double>(routing->to_rank(from, to));
        total += static_cast<double>(routing->to_rank(from, to));
      }
    if (total > 0) net.slowest_expert_scale = *std::max_element(received.begin(), received.end()) * ep / total;
    // DeepEP's notify: counts to every member and theirs back, one round
    // with the farthest (GPU 0 of the group stands for every member).
    sim::Time farthest = 0;
    for (int m = 1; m < ep; ++m)
      farthest = std::max(farthest, transfer_time(c, router, expert_member(0, layout.tp * layout.cp, layout.dp, ep, 0, 0),
                                                  expert_member(0, layout.tp * layout.cp, layout.dp, ep, 0, m), 0));
    net.notify_round = 2 * farthest;
  }
  r.slowest_expert_scale = net.slowest_expert_scale;
  r.notify_round = net.notify_round;
  net.cluster = &c;
  net.router = &router;
  net.routing = ep > 1 ? routing.get() : nullptr;
  r.phase_time = net.phase_time;
  r.p2p_time = net.p2p_time;
  r.p2p_bytes = spec.parallel.pp > 1 ? activation_bytes : 0;
  r.comm_sms = spec.comm_offload ? 0 : spec.comm_sms;

  StepGraphResult g = simulate_step_graph(schedule, r.plan, layout, net);
  r.components = std::move(g.components);
  r.component_edges = std::move(g.edges);
  r.pipeline = std::move(g.pipeline);
  r.events = g.events;
  r.tasks = g.tasks;
  r.flows = g.flows;

  // The tail and the step.
  std::optional<DpSyncModel> dp_sync;
  if (!spec.chunk_pair) dp_sync.emplace(c, layout, spec, cluster.gpu, &router);
  sim::Time step = 0;
  const bool mirrored = spec.schedule == ScheduleKind::kDualPipe;
  for (int rank = 0; rank < schedule.ranks; ++rank) {
    TrainingRank tr;
    tr.rank = rank;
    tr.pipeline_end = g.ranks[static_cast<std::size_t>(rank)].end;
    tr.compute = g.ranks[static_cast<std::size_t>(rank)].compute;
    tr.exposed_comm = g.ranks[static_cast<std::size_t>(rank)].exposed_comm;
    tr.host_wait = g.ranks[static_cast<std::size_t>(rank)].host_wait;
    if (!spec.chunk_pair)
      tr.dp_sync = dp_sync->times(rank_parameters(schedule, r.plan, rank), mirrored,
                                  tied_copy_parameters(schedule, r.plan, rank));
    step = std::max(step, tr.pipeline_end + tr.dp_sync.total());
    r.ranks.push_back(tr);
  }
  const double capacity = cluster.gpu.hbm_gb * 1e9;
  for (TrainingRank& tr : r.ranks) {
    tr.bubble = step - tr.compute - tr.exposed_comm - tr.host_wait - tr.dp_sync.total();
    RankResult& rr = r.pipeline.ranks[static_cast<std::size_t>(tr.rank)];
    rr.busy = tr.compute;
    rr.bubble = tr.bubble;
    tr.memory = rank_memory(spec, r.plan, g.chunk_lives[static_cast<std::size_t>(tr.rank)],
                            rank_parameters(schedule, r.plan, tr.rank), r.dp, capacity);
    if (!tr.memory.fits()) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "rank %d needs %.1f GB but the GPU has %.1f GB of HBM", tr.rank,
                    tr.memory.total() / 1e9, capacity / 1e9);
      r.warnings.push_back(buf);
    }
  }
  if (!scaled.empty()) r.warnings.push_back(scaled);
  r.pipeline.step_time = step;
  r.chunk_lives = std::move(g.chunk_lives);
  if (spec.chunk_pair) {
    const OpRecord& pair = r.pipeline.ranks[0].ops[1];
    r.chunk_pair_time = pair.end - pair.start;
  }

  // Headline numbers.
  r.step_time_s = sim::to_seconds(step);
  r.tokens_per_step = static_cast<double>(spec.global_batch) * spec.seq_len;
  r.tokens_per_s = r.tokens_per_step / r.step_time_s;
  r.tokens_per_day = r.tokens_per_s * 86400;
  r.gpu_hours_per_trillion_tokens = r.gpus * r.step_time_s / 3600 * (1e12 / r.tokens_per_step);
  double flops = 0;
  for (std::size_t lane = 0; lane < schedule.rank_of.size(); ++lane)
    for (std::size_t st = 0; st < schedule.rank_of[lane].size(); ++st)
      flops += r.plan.parts[static_cast<std::size_t>(schedule.part_of[lane][st])].model_flops *
               schedule.lane_microbatches[lane];
  r.model_flops_per_step = flops * r.dp * spec.parallel.tp * spec.parallel.cp;
  r.mfu_bf16 = r.model_flops_per_step / (r.step_time_s * r.gpus * cluster.gpu.bf16_dense_tflops * 1e12);
  r.mfu_fp8 = r.model_flops_per_step / (r.step_time_s * r.gpus * cluster.gpu.fp8_dense_tflops * 1e12);

  if (spec.fidelity == Fidelity::kReduced) {
    r.reductions.push_back("symmetry: one pipeline replica of " + std::to_string(r.dp) +
                           " simulated; data-parallel replicas and EP groups are identical");
    if (ep > 1)
      r.reductions.push_back("memoisation: each all-to-all phase (dispatch, combine and their backwards) simulated "
                             "once as flows over one EP group of " + std::to_string(ep) +
                             " GPUs; every layer and micro-batch reuses its time (the slowest GPU's)");
    if (ep > 1 && net.slowest_expert_scale > 1) r.reductions.push_back(fmt_scale(net.slowest_expert_scale));
    r.reductions.push_back("memoisation: pipeline transfers take the time of one transfer alone on its path");
  } else {
    r.reductions.push_back("tensor-parallel ranks are identical (simulated once per TP group)");
  }
  if (ep > 1)
    r.reductions.push_back("one routing draw (seed " + std::to_string(spec.routing_seed) +
                           ") reused by every layer and micro-batch");
  r.reductions.push_back("memoisation: kernel times computed once per block kind; every MoE layer is alike");
  r.reductions.push_back("data-parallel collectives simulated once per group shape and scaled (ring time is affine in "
                         "bytes); no overlap of the tail with the pipeline");
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace v3sim::models
