#include "report/chakra/chakra_program.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <queue>
#include <stdexcept>

#include "models/moe/ep_alltoall.hpp"
#include "models/schedule/notation.hpp"
#include "report/component_style.hpp"
#include "models/training/dp_sync.hpp"

namespace v3sim::report {
namespace {

using ChakraProtoMsg::Node;
using models::ComponentRecord;

// Bytes per parameter of the data-parallel tail, as models/training/dp_sync.cpp
// moves them (docs/training-model.md, "The end of the step"): FP32 gradients
// reduced, BF16 parameters gathered.
constexpr double kGradBytes = 4;
constexpr double kParamBytes = 2;

// Streams of a rank, named in the "stream" attribute; ctrl_deps chain the
// nodes of one stream in program order. The tail's routed-expert collectives
// run beside the dense ones, on a stream of their own.
enum Stream { kCompute, kComm, kCompute2, kTail, kTail2, kStreams };
constexpr const char* kStreamNames[kStreams] = {"compute", "comm", "compute 2", "tail", "tail 2"};

// Simulated nanoseconds as Chakra's whole microseconds, rounded to nearest.
std::uint64_t micros(sim::Time ns) { return static_cast<std::uint64_t>(std::llround(static_cast<double>(ns) / 1e3)); }

void attr(Node& n, const std::string& name, bool v) {
  auto* a = n.add_attr();
  a->set_name(name);
  a->set_bool_val(v);
}
// Chakra's feeder reads comm_type, comm_size and num_ops as int64 and
// comm_src, comm_dst and comm_tag as int32: the types must match.
void attr64(Node& n, const std::string& name, std::int64_t v) {
  auto* a = n.add_attr();
  a->set_name(name);
  a->set_int64_val(v);
}
void attr32(Node& n, const std::string& name, std::int32_t v) {
  auto* a = n.add_attr();
  a->set_name(name);
  a->set_int32_val(v);
}
void attr_str(Node& n, const std::string& name, const std::string& v) {
  auto* a = n.add_attr();
  a->set_name(name);
  a->set_string_val(v);
}

// A rank's nodes while they are built: ids are provisional (the index) until
// the nodes are put in topological order.
struct RankBuilder {
  std::vector<Node> nodes;
  std::vector<NodeBinding> bindings;
  std::vector<sim::Time> start;  // ns, to order the nodes in the file
  std::array<int, kStreams> last{-1, -1, -1, -1, -1};

  Node& add(const std::string& name, ChakraProtoMsg::NodeType type, sim::Time start_ns, sim::Time duration_ns,
            int stream) {
    Node n;
    n.set_id(nodes.size());
    n.set_name(name);
    n.set_type(type);
    n.set_start_time_micros(micros(start_ns));
    n.set_duration_micros(micros(duration_ns));
    if (stream >= 0) {
      if (last[static_cast<std::size_t>(stream)] >= 0) n.add_ctrl_deps(static_cast<std::uint64_t>(last[static_cast<std::size_t>(stream)]));
      last[static_cast<std::size_t>(stream)] = static_cast<int>(nodes.size());
      attr_str(n, "stream", kStreamNames[stream]);
    }
    attr(n, "is_cpu_op", false);  // the feeder's default is a CPU op
    nodes.push_back(std::move(n));
    bindings.emplace_back();
    start.push_back(start_ns);
    return nodes.back();
  }

  // ASTRA-sim reads comm_size as each member's input: the whole buffer of an
  // all-reduce, a reduce-scatter or an all-to-all, one member's shard of an
  // all-gather (docs/outputs.md).
  Node& collective(const std::string& name, ChakraProtoMsg::CollectiveCommType type, double bytes, GroupRole role,
                   const NpuGrid& grid, sim::Time start_ns, sim::Time duration_ns, int stream) {
    Node& n = add(name, ChakraProtoMsg::COMM_COLL_NODE, start_ns, duration_ns, stream);
    attr64(n, "comm_type", type);
    attr64(n, "comm_size", std::max<std::int64_t>(1, std::llround(bytes)));
    attr_str(n, "comm_group", group_role_name(role));
    attr64(n, "comm_group_size", grid.group_size(role));
    bindings.back() = {.kind = NodeBinding::kGroup, .role = role};
    return n;
  }

  // Kahn's algorithm, ready nodes taken by simulated start time: the file
  // lists every node after its dependencies, close to the order they ran.
  StageProgram topological() const {
    const std::size_t n = nodes.size();
    std::vector<int> pending(n, 0);
    std::vector<std::vector<std::size_t>> children(n);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::uint64_t d : nodes[i].ctrl_deps()) children[d].push_back(i), ++pending[i];
      for (std::uint64_t d : nodes[i].data_deps()) children[d].push_back(i), ++pending[i];
    }
    using Key = std::pair<sim::Time, std::size_t>;
    std::priority_queue<Key, std::vector<Key>, std::greater<>> ready;
    for (std::size_t i = 0; i < n; ++i)
      if (pending[i] == 0) ready.push({start[i], i});
    std::vector<std::uint64_t> new_id(n);
    std::vector<std::size_t> order;
    while (!ready.empty()) {
      const std::size_t i = ready.top().second;
      ready.pop();
      new_id[i] = order.size();
      order.push_back(i);
      for (std::size_t c : children[i])
        if (--pending[c] == 0) ready.push({start[c], c});
    }
    if (order.size() != n) throw std::logic_error("Chakra export: the step graph of a rank has a cycle");
    StageProgram out;
    out.nodes.reserve(n);
    for (std::size_t i : order) {
      Node x = nodes[i];
      x.set_id(new_id[i]);
      for (int k = 0; k < x.ctrl_deps_size(); ++k) x.set_ctrl_deps(k, new_id[x.ctrl_deps(k)]);
      for (int k = 0; k < x.data_deps_size(); ++k) x.set_data_deps(k, new_id[x.data_deps(k)]);
      out.nodes.push_back(std::move(x));
      out.bindings.push_back(bindings[i]);
    }
    return out;
  }
};

std::string component_node_name(const models::Schedule& s, const ComponentRecord& c) {
  const std::string op = c.op >= 0 ? models::format_op(s, s.programs[static_cast<std::size_t>(c.rank)][static_cast<std::size_t>(c.op)]) : "?";
  const bool layer = c.block == models::BlockKind::kDenseLayer || c.block == models::BlockKind::kMoeLayer ||
                     c.block == models::BlockKind::kMtp;
  const std::string what = component_pass_label(c.component, c.pass);
  return layer ? fmt::format("{} {} {} {}", op, block_word(c.block), c.unit, what)
               : fmt::format("{} {} {}", op, block_word(c.block), what);
}

// Kernels of a rank that ASTRA-sim would run on its one compute slot beside
// the main stream's: each keeps only the time the main stream was idle, so
// that the rank's compute occupancy is the union v3sim simulated.
void fold_beside_main_stream(RankBuilder& rb, const std::vector<std::pair<sim::Time, sim::Time>>& main,
                             const std::vector<std::pair<std::size_t, sim::Time>>& beside, int& folded, double& overlap_us) {
  for (const auto& [i, end] : beside) {
    Node& n = rb.nodes[i];
    const sim::Time a = rb.start[i];
    sim::Time covered = 0;
    // `main` is sorted and disjoint: the intervals that reach past a.
    auto it = std::lower_bound(main.begin(), main.end(), std::pair<sim::Time, sim::Time>{a, a},
                               [](const auto& x, const auto& y) { return x.second < y.second; });
    for (; it != main.end() && it->first < end; ++it) covered += std::max<sim::Time>(0, std::min(end, it->second) - std::max(a, it->first));
    attr64(n, "simulated_duration_micros", static_cast<std::int64_t>(n.duration_micros()));
    const sim::Time left = std::max<sim::Time>(0, (end - a) - covered);
    n.set_duration_micros(micros(left));
    ++folded;
    overlap_us += static_cast<double>(covered) / 1e3;
  }
}

}  // namespace

ChakraPrograms chakra_programs(const models::TrainingResult& r, int replicas) {
  const models::TrainingSpec& spec = r.spec;
  const models::Schedule& schedule = r.pipeline.schedule;
  const int ranks = schedule.ranks, ep = spec.parallel.ep, tp = spec.parallel.tp, cp = spec.parallel.cp;
  if (replicas < 1 || replicas > r.dp)
    throw std::invalid_argument(fmt::format("{} replicas: the step has {} data-parallel replicas", replicas, r.dp));
  const NpuGrid grid{ranks, replicas, cp, tp, ep};
  if (grid.per_stage() % ep != 0)
    throw std::invalid_argument(fmt::format("{} replicas: their {} GPUs per stage do not split into expert groups of {}",
                                            replicas, grid.per_stage(), ep));
  std::vector<RankBuilder> b(static_cast<std::size_t>(ranks));
  std::vector<int> node_of(r.components.size(), -1);
  // Per rank: the main compute stream's intervals, and the nodes beside it.
  std::vector<std::vector<std::pair<sim::Time, sim::Time>>> main(static_cast<std::size_t>(ranks));
  std::vector<std::vector<std::pair<std::size_t, sim::Time>>> beside(static_cast<std::size_t>(ranks));

  // Every component kernel of replica 0, in program order per stream.
  const double tokens = static_cast<double>(spec.micro_batch) * spec.seq_len / cp;  // per micro-batch on one GPU
  const double routed_tokens = tokens / tp;  // each GPU of a TP group routes its share (MoE parallel folding)
  const std::array<double, models::kEpPhases> bytes_per_token{
      models::token_bytes("fp8", spec.model.hidden), models::token_bytes("bf16", spec.model.hidden),
      models::token_bytes("bf16", spec.model.hidden)};
  for (std::size_t i = 0; i < r.components.size(); ++i) {
    const ComponentRecord& c = r.components[i];
    RankBuilder& rb = b[static_cast<std::size_t>(c.rank)];
    const std::string name = component_node_name(schedule, c);
    const int stream = c.comm ? kComm : c.second_stream ? kCompute2 : kCompute;
    node_of[i] = static_cast<int>(rb.nodes.size());
    const sim::Time d = c.end - c.start;
    if (c.comm && c.phase >= 0 && ep > 1) {
      // Each GPU sends its micro-batch's tokens once per selected expert.
      rb.collective(name, ChakraProtoMsg::ALL_TO_ALL, routed_tokens * spec.model.topk * bytes_per_token[static_cast<std::size_t>(c.phase)],
                    GroupRole::kExpert, grid, c.start, d, stream);
    } else if (c.comm && c.phase < 0 && tp > 1) {
      // A tensor-parallel all-reduce of the BF16 hidden state.
      rb.collective(name, ChakraProtoMsg::ALL_REDUCE, tokens * spec.model.hidden * 2, GroupRole::kTensor, grid, c.start, d, stream);
    } else {
      // Compute, or comm-stream kernels that exchange nothing (DeepEP's
      // layout and notify kernels alone, an all-to-all within one GPU).
      rb.add(name, ChakraProtoMsg::COMP_NODE, c.start, d, stream);
      if (stream == kCompute)
        main[static_cast<std::size_t>(c.rank)].push_back({c.start, c.end});
      else
        beside[static_cast<std::size_t>(c.rank)].push_back({rb.nodes.size() - 1, c.end});
    }
  }

  // The step graph's data dependencies; a pipeline transfer becomes a send
  // after its producer and a receive before its consumer, tagged with the
  // dependency's index so that the pair matches; each NPU adds the peer.
  for (std::size_t k = 0; k < r.component_edges.size(); ++k) {
    const models::ComponentEdge& e = r.component_edges[k];
    const ComponentRecord& from = r.components[static_cast<std::size_t>(e.from)];
    const ComponentRecord& to = r.components[static_cast<std::size_t>(e.to)];
    const auto from_node = static_cast<std::uint64_t>(node_of[static_cast<std::size_t>(e.from)]);
    RankBuilder& dst = b[static_cast<std::size_t>(to.rank)];
    const auto consumer = static_cast<std::size_t>(node_of[static_cast<std::size_t>(e.to)]);
    if (!e.transfer || from.rank == to.rank) {
      dst.nodes[consumer].add_data_deps(from_node);
      continue;
    }
    const bool gradient = to.pass != models::Pass::kForward;
    auto p2p = [&](RankBuilder& rb, ChakraProtoMsg::NodeType type, const std::string& name, NodeBinding binding) -> Node& {
      Node& n = rb.add(name, type, from.end, r.p2p_time, -1);
      attr32(n, "comm_tag", static_cast<std::int32_t>(k));
      attr64(n, "comm_size", std::max<std::int64_t>(1, std::llround(r.p2p_bytes)));
      rb.bindings.back() = binding;
      return n;
    };
    const std::string label = fmt::format("{} from stage {} to stage {}", gradient ? "gradient" : "activation", from.rank, to.rank);
    p2p(b[static_cast<std::size_t>(from.rank)], ChakraProtoMsg::COMM_SEND_NODE, "send " + label,
        {.kind = NodeBinding::kSend, .peer_stage = to.rank})
        .add_data_deps(from_node);
    const auto recv = static_cast<std::uint64_t>(dst.nodes.size());
    p2p(dst, ChakraProtoMsg::COMM_RECV_NODE, "recv " + label, {.kind = NodeBinding::kRecv, .peer_stage = from.rank});
    dst.nodes[consumer].add_data_deps(recv);
  }

  // The data-parallel tail after each rank's pipeline: DualPipe's mirror sum,
  // the reduce-scatter (all-reduce without ZeRO) of dense and routed-expert
  // gradients on their own groups, the optimizer step, the all-gather. The
  // two groups' collectives ran at once; ASTRA-sim runs one collective at a
  // time on an NPU, so the routed experts' follows the dense one's in every
  // member (the same order everywhere, as its groups require). Concurrent
  // collectives both carry their phase's time.
  const bool zero = spec.parallel.zero == 1;
  std::vector<bool> mirrored(static_cast<std::size_t>(ranks), false);
  for (int rank = 0; rank < ranks && !spec.chunk_pair; ++rank) {
    RankBuilder& rb = b[static_cast<std::size_t>(rank)];
    const models::TrainingRank& tr = r.ranks[static_cast<std::size_t>(rank)];
    const models::BlockParameters params = models::rank_parameters(schedule, r.plan, rank);
    const double dense = params.dense / tp, routed = params.routed / ep;
    std::vector<std::uint64_t> before;  // the pipeline's last node on each stream
    for (int s : {kCompute, kComm, kCompute2})
      if (rb.last[static_cast<std::size_t>(s)] >= 0) before.push_back(static_cast<std::uint64_t>(rb.last[static_cast<std::size_t>(s)]));
    sim::Time t = tr.pipeline_end;
    auto phase = [&](std::vector<std::uint64_t> ids) {
      if (!ids.empty()) before = std::move(ids);
    };
    auto after_before = [&](Node& n) {
      for (std::uint64_t d : before)
        if (std::find(n.ctrl_deps().begin(), n.ctrl_deps().end(), d) == n.ctrl_deps().end()) n.add_data_deps(d);
    };
    // The routed experts' collective of a phase after the dense one's.
    auto pair_up = [&](std::vector<std::uint64_t>& ids) {
      if (ids.size() == 2) rb.nodes[ids[1]].add_ctrl_deps(ids[0]);
    };
    if (tr.dp_sync.mirror > 0 && ranks - 1 - rank != rank) {
      // DualPipe's mirrored ranks sum all their gradients; otherwise the
      // first and last rank sum their copies of a tied embedding.
      const bool dualpipe = spec.schedule == models::ScheduleKind::kDualPipe;
      Node& n = rb.collective(dualpipe ? "gradient sum with the mirrored stage" : "tied embedding gradient sum",
                              ChakraProtoMsg::ALL_REDUCE, tr.dp_sync.mirror_bytes, GroupRole::kMirror, grid, t,
                              tr.dp_sync.mirror, kTail);
      attr32(n, "comm_peer_stage", schedule.ranks - 1 - rank);
      after_before(n);
      phase({n.id()});
      mirrored[static_cast<std::size_t>(rank)] = true;
      t += tr.dp_sync.mirror;
    }
    const auto reduce = zero ? ChakraProtoMsg::REDUCE_SCATTER : ChakraProtoMsg::ALL_REDUCE;
    const std::string reduce_name = zero ? "reduce-scatter" : "all-reduce";
    const int dp_group = grid.group_size(GroupRole::kData), expert_group = grid.group_size(GroupRole::kExpertData);
    std::vector<std::uint64_t> ids;
    if (dp_group > 1 && dense > 0) {
      Node& n = rb.collective(reduce_name + " of dense gradients", reduce, kGradBytes * dense, GroupRole::kData, grid, t,
                              tr.dp_sync.reduce_scatter, kTail);
      after_before(n);
      ids.push_back(n.id());
    }
    if (expert_group > 1 && routed > 0) {
      Node& n = rb.collective(reduce_name + " of routed-expert gradients", reduce, kGradBytes * routed,
                              GroupRole::kExpertData, grid, t, tr.dp_sync.reduce_scatter, kTail2);
      after_before(n);
      ids.push_back(n.id());
    }
    pair_up(ids);
    phase(ids);
    t += tr.dp_sync.reduce_scatter;
    {
      Node& n = rb.add("optimizer step", ChakraProtoMsg::COMP_NODE, t, tr.dp_sync.optimizer, kTail);
      after_before(n);
      phase({n.id()});
      t += tr.dp_sync.optimizer;
    }
    if (zero) {
      ids.clear();
      // Each member gathers its shard: 1/group of the parameters.
      if (dp_group > 1 && dense > 0) {
        Node& n = rb.collective("all-gather of dense parameters", ChakraProtoMsg::ALL_GATHER, kParamBytes * dense / dp_group,
                                GroupRole::kData, grid, t, tr.dp_sync.all_gather, kTail);
        after_before(n);
        ids.push_back(n.id());
      }
      if (expert_group > 1 && routed > 0) {
        Node& n = rb.collective("all-gather of routed-expert parameters", ChakraProtoMsg::ALL_GATHER,
                                kParamBytes * routed / expert_group, GroupRole::kExpertData, grid, t,
                                tr.dp_sync.all_gather, kTail2);
        after_before(n);
        ids.push_back(n.id());
      }
      pair_up(ids);
    }
  }

  ChakraPrograms out;
  out.grid = grid;
  out.folded_kernels.assign(static_cast<std::size_t>(ranks), 0);
  out.folded_overlap_us.assign(static_cast<std::size_t>(ranks), 0.0);
  for (int rank = 0; rank < ranks; ++rank) {
    const auto k = static_cast<std::size_t>(rank);
    std::vector<std::pair<sim::Time, sim::Time>>& m = main[k];
    std::sort(m.begin(), m.end());
    std::vector<std::pair<sim::Time, sim::Time>> merged;
    for (const auto& iv : m)
      if (!merged.empty() && iv.first <= merged.back().second)
        merged.back().second = std::max(merged.back().second, iv.second);
      else
        merged.push_back(iv);
    fold_beside_main_stream(b[k], merged, beside[k], out.folded_kernels[k], out.folded_overlap_us[k]);
    out.stages.push_back(b[k].topological());
    out.stages.back().mirrored = mirrored[k];
  }
  return out;
}

ChakraProtoMsg::GlobalMetadata chakra_metadata(const models::TrainingResult& r, const NpuGrid& grid,
                                              const std::string& scenario_name) {
  ChakraProtoMsg::GlobalMetadata m;
  m.set_version(kChakraVersion);
  const models::TrainingSpec& spec = r.spec;
  auto meta = [&](const std::string& name, std::int64_t v) {
    auto* x = m.add_attr();
    x->set_name(name);
    x->set_int64_val(v);
  };
  auto meta_str = [&](const std::string& name, const std::string& v) {
    auto* x = m.add_attr();
    x->set_name(name);
    x->set_string_val(v);
  };
  meta_str("scenario", scenario_name);
  meta("npus", grid.npus());
  meta("pp", spec.parallel.pp);
  meta("dp", r.dp);
  meta("replicas", grid.replicas);
  meta("ep", spec.parallel.ep);
  meta("tp", spec.parallel.tp);
  meta("cp", spec.parallel.cp);
  meta("zero", spec.parallel.zero);
  meta("microbatches", r.microbatches);
  meta_str("schedule", spec.chunk_pair ? "chunk_pair" : models::schedule_kind_name(spec.schedule));
  meta_str("fidelity", spec.fidelity == models::Fidelity::kFull ? "full" : "reduced");
  meta_str("time_source", "v3sim simulation: start_time_micros and duration_micros are simulated");
  return m;
}

}  // namespace v3sim::report
