#include "models/training/step_graph.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <map>
#include <optional>

#include "models/cluster_network.hpp"
#include "models/training/ep_group_calls.hpp"
#include "models/training/step_graph_parts.hpp"
#include "sim/engine.hpp"
#include "sim/task_graph.hpp"

namespace v3sim::models {
namespace {

// A dependency chain through one chunk's segments.
struct Chain {
  Span span;
  void append(sim::TaskGraph& g, Span s) {
    if (span.exit != kNone)
      g.add_edge(span.exit, s.entry);
    else
      span.entry = s.entry;
    span.exit = s.exit;
  }
};

struct Gpu {
  int rank, replica;
  sim::ResourceId compute, comm, compute2;
  sim::ResourceId comm_kernel;  // what the compute streams contend with: the comm stream, or (full fidelity) spans
  double expert_scale = 1;
  // The CPU thread issuing the GPU's kernels in program order (when the
  // plan prices the host), and the main stream's latest task, which a
  // host synchronisation waits for.
  std::optional<sim::ResourceId> host;
  sim::TaskId last_compute = kNone;
  sim::Time host_clock = 0;  // the thread's issue time so far (releases: no synchronisation)
  std::vector<CommCall> calls;  // all-to-alls in program order (full fidelity; reduced with a slowest member)
};

class Builder : public StepGraphParts {
 public:
  Builder(const Schedule& s, const StagePlan& plan, const StepLayout& layout, const StepNetwork& net)
      : s_(s), plan_(plan), layout_(layout), net_(net),
        slowest_member_(layout.fidelity == Fidelity::kReduced && layout.ep > 1 && net.slowest_expert_scale > 1),
        replicas_(layout.fidelity == Fidelity::kFull ? layout.dp : slowest_member_ ? 2 : 1),
        host_tasks_(any_host_sync(plan)) {
    for (int lane = 0; lane < static_cast<int>(s.rank_of.size()); ++lane) {
      chunk_base.push_back(chunk_count_);
      chunk_count_ += static_cast<std::size_t>(s.lane_stages(lane)) * s.lane_microbatches[lane];
    }
    if (layout.fidelity == Fidelity::kFull) network_ = std::make_unique<ClusterNetwork>(*net.cluster, graph, net.router);
  }

  void build() {
    net_resource_ = graph.add_resource("network", sim::ResourceOrder::kReady, 0);
    for (int d = 0; d < replicas_; ++d)
      for (int r = 0; r < s_.ranks; ++r) {
        const std::string name = "gpu" + std::to_string(layout_.gpu(r, d));
        Gpu g{r, d, graph.add_resource(name + " compute", sim::ResourceOrder::kProgram, 1),
              graph.add_resource(name + " comm", sim::ResourceOrder::kProgram, 1),
              graph.add_resource(name + " compute 2", sim::ResourceOrder::kProgram, 1), 0, 1, {}, kNone, 0, {}};
        // Reduced fidelity runs a comm kernel as tasks of its stream; full
        // fidelity's flows are not tasks of it, so a span per kernel holds
        // the GPU from its launch to its completion.
        g.comm_kernel = layout_.fidelity == Fidelity::kFull
                            ? graph.add_resource(name + " comm kernel", sim::ResourceOrder::kReady, 0)
                            : g.comm;
        add_contention(g);
        if (plan_.host_issue && host_tasks_) {
          g.host = graph.add_resource(name + " host", sim::ResourceOrder::kProgram, 1);
          host_resource.resize(*g.host + 1, false);
          host_resource[*g.host] = true;
        }
        if (layout_.fidelity == Fidelity::kFull && net_.routing != nullptr) g.expert_scale = expert_scale(d % layout_.ep);
        if (slowest_member_ && d == 1) g.expert_scale = net_.slowest_expert_scale;
        gpus_.push_back(g);
      }
    op_range.resize(s_.ranks);
    for (int d = 0; d < replicas_; ++d) {
      std::vector<ChunkSpans> spans(chunk_count_);
      for (int r = 0; r < s_.ranks; ++r) expand_program(gpus_[static_cast<std::size_t>(d * s_.ranks + r)], spans);
      connect_chunks(d, spans);
      if (d == 0) spans0 = spans;
    }
    if (layout_.fidelity == Fidelity::kFull) add_all_to_all_flows();
    if (slowest_member_) add_notify_waits();
  }

  // The GPU's kernels contend, by the profile's measured factors: the
  // compute streams slow beside a communication kernel (HBM and L2 shared)
  // and beside each other (the compute SMs shared).
  void add_contention(const Gpu& g) {
    if (plan_.beside_comm_slowdown > 1) {
      graph.add_slowdown(g.compute, g.comm_kernel, plan_.beside_comm_slowdown);
      graph.add_slowdown(g.compute2, g.comm_kernel, plan_.beside_comm_slowdown);
    }
    if (plan_.main_beside_second > 1) graph.add_slowdown(g.compute, g.compute2, plan_.main_beside_second);
    if (plan_.second_beside_main > 1) graph.add_slowdown(g.compute2, g.compute, plan_.second_beside_main);
  }

  std::size_t chunk(const Chunk& c) const { return StepGraphParts::chunk(s_, c); }

 private:
  const PartPlan& part(const Chunk& c) const { return plan_.parts[s_.part_of[c.lane][c.stage]]; }

  double expert_scale(int member) const {
    const TokenRouting& r = *net_.routing;
    double total = 0, mine = 0;
    for (int s = 0; s < r.ranks; ++s)
      for (int d = 0; d < r.ranks; ++d) {
        total += static_cast<double>(r.to_rank(s, d));
        if (d == member) mine += static_cast<double>(r.to_rank(s, d));
      }
    return total > 0 ? mine * r.ranks / total : 1;
  }

  void record(const Gpu& g, sim::TaskId start, sim::TaskId t, bool comm, const Segment& seg, Pass pass,
              const BlockPlan& block, sim::Time notify_wait = 0) {
    if (g.replica != 0) {
      other_replicas.push_back({t, g.rank});  // only their end times matter
      return;
    }
    const auto [part, index] = locate(block);
    const std::vector<Segment>& list = pass == Pass::kForward ? block.forward : pass == Pass::kInput ? block.input : block.weight;
    records.push_back(ComponentRecord{g.rank, comm, seg.second_stream, seg.component, pass, block.kind, 0, 0, current_op_,
                                      block.unit, comm ? seg.phase : -1, notify_wait,
                                      comm ? 0 : graph.tasks()[t].duration, part, index,
                                      static_cast<int>(&seg - list.data())});
    record_task.push_back(t);
    record_start.push_back(start);
  }

  // The part and index of a block of the plan.
  std::pair<int, int> locate(const BlockPlan& b) const {
    for (std::size_t p = 0; p < plan_.parts.size(); ++p) {
      const std::vector<BlockPlan>& blocks = plan_.parts[p].blocks;
      if (!blocks.empty() && &b >= blocks.data() && &b < blocks.data() + blocks.size())
        return {static_cast<int>(p), static_cast<int>(&b - blocks.data())};
    }
    return {-1, -1};
  }

  // `factor` times the standalone time of the segment's all-to-all phase.
  sim::Time phase_share(const Segment& seg, double factor) const {
    if (seg.phase < 0) return 0;
    return static_cast<sim::Time>(
        std::llround(static_cast<double>(net_.phase_time[static_cast<std::size_t>(seg.phase)]) * factor));
  }

  static sim::Time scaled(sim::Time t, double f) {
    return static_cast<sim::Time>(std::llround(static_cast<double>(t) * f));
  }

  // The segment's kernels as the GPU runs them, after the host has issued
  // them: the host's task runs in program order (waiting first for the main
  // stream's work where the segment synchronises) and the segment's first
  // task waits for it. Without a synchronisation anywhere the thread never
  // waits, so its issue of a segment ends at the running sum of its costs:
  // that sum is the segment's release instead (the same times, no tasks).
  Span run(Gpu& g, const Segment& seg, Pass pass, const BlockPlan& block) {
    HostIssue issue;
    if (g.host && (seg.host > 0 || seg.host_sync)) {
      issue.task = graph.add_task(*g.host, seg.host);
      if (seg.host_sync && g.last_compute != kNone) graph.add_edge(g.last_compute, issue.task);
    } else if (plan_.host_issue && !host_tasks_ && seg.host > 0) {
      g.host_clock += seg.host;
      issue.at = g.host_clock;
    }
    const std::size_t recorded = records.size();
    const Span s = run_on_gpu(g, seg, pass, block);
    if (issue.task != kNone) graph.add_edge(issue.task, s.entry);
    if (issue.at > 0) graph.set_release(s.entry, issue.at);
    if (records.size() > recorded) record_issue.push_back(issue);
    return s;
  }

  // Whether any segment synchronises the host with the GPU.
  static bool any_host_sync(const StagePlan& plan) {
    for (const PartPlan& p : plan.parts)
      for (const BlockPlan& b : p.blocks)
        for (const auto* list : {&b.forward, &b.input, &b.weight})
          for (const Segment& s : *list)
            if (s.host_sync) return true;
    return false;
  }

  Span run_on_gpu(Gpu& g, const Segment& seg, Pass pass, const BlockPlan& block) {
    if (!seg.comm) {
      const sim::TaskId t = graph.add_task(seg.second_stream ? g.compute2 : g.compute,
                                           seg.compute + scaled(seg.expert, g.expert_scale));
      if (!seg.second_stream) g.last_compute = t;
      record(g, t, t, false, seg, pass, block);
      return {t, t};
    }
    const bool notifies = seg.phase >= 0 && seg.notify > 0;
    if (seg.phase < 0 || (layout_.fidelity == Fidelity::kReduced && !(notifies && slowest_member_))) {
      // The all-to-all at its in-training rate: the standalone phase time
      // scaled by its class's calibration; members alike, so its notify
      // waits for nobody, only for its round of messages.
      const sim::Time round = notifies ? net_.notify_round : 0;
      const sim::TaskId t = graph.add_task(g.comm, seg.fixed + seg.notify + round + phase_share(seg, seg.phase_scale));
      record(g, t, t, true, seg, pass, block, round);
      return {t, t};
    }
    if (layout_.fidelity == Fidelity::kReduced) {
      // The typical and the slowest member: the kernel launches, then its
      // notify, round and all-to-all at its in-training rate; the typical
      // member's cannot start before the slowest member has launched its own
      // (add_notify_waits). The slowest member never waits for the typical
      // one: it runs the same kernels, its routed-expert GEMMs longer, so it
      // arrives last at every exchange and a one-way edge is the barrier.
      const sim::TaskId launch = graph.add_task(g.comm, 0);
      const sim::TaskId done =
          graph.add_task(g.comm, seg.notify + net_.notify_round + seg.fixed + phase_share(seg, seg.phase_scale));
      graph.add_edge(launch, done);
      const CommCall call{launch, done, done, seg.phase, true};
      g.calls.push_back(call);
      if (g.replica == 0) notify_records.push_back({records.size(), call});
      record(g, launch, done, true, seg, pass, block);
      return {launch, done};
    }
    // Full fidelity: the kernel launches; its notify waits for every member
    // of the EP group to launch (add_all_to_all_flows adds that barrier) and
    // exchanges its round of messages; its flows run; it completes.
    const sim::TaskId launch = graph.add_task(g.comm, 0);
    const sim::TaskId notified = graph.add_task(g.comm, notifies ? seg.notify + net_.notify_round : 0);
    // The in-training slowdown of the kernel (its class's time_scale) as
    // time added after its flows, sized on the standalone phase time.
    const sim::TaskId done = graph.add_task(g.comm, seg.fixed + phase_share(seg, std::max(0.0, seg.phase_scale - 1)));
    graph.add_edge(launch, notified);
    graph.add_edge(notified, done);
    graph.add_span(g.comm_kernel, notified, done);
    const CommCall call{launch, notified, done, seg.phase, notifies};
    g.calls.push_back(call);
    if (g.replica == 0 && notifies) notify_records.push_back({records.size(), call});
    record(g, launch, done, true, seg, pass, block);
    return {launch, done};
  }

  void forward_block(Gpu& g, Chain& c, const BlockPlan& b, Component comp) {
    for (const Segment& seg : b.forward)
      if (seg.component == comp) c.append(graph, run(g, seg, Pass::kForward, b));
  }

  // Input-gradient segments of one component; with `weights`, the
  // component's weight gradients follow its last compute segment.
  void backward_block(Gpu& g, Chain& c, const BlockPlan& b, Component comp, bool weights) {
    sim::TaskId last_compute = kNone;
    for (const Segment& seg : b.input) {
      if (seg.component != comp) continue;
      c.append(graph, run(g, seg, Pass::kInput, b));
      if (!seg.comm) last_compute = c.span.exit;
    }
    if (weights && last_compute != kNone) weight_block(g, last_compute, b, comp);
  }

  // Weight gradients of one component after `after`; second-stream
  // segments start beside the first stream's (the framework issues them
  // together) and nothing waits for them but the step's end. Returns the
  // last task on the first stream.
  sim::TaskId weight_block(Gpu& g, sim::TaskId after, const BlockPlan& b, Component comp) {
    const sim::TaskId start = after;
    for (const Segment& seg : b.weight)
      if (seg.component == comp) {
        const Span w = run(g, seg, Pass::kWeight, b);
        graph.add_edge(seg.second_stream ? start : after, w.entry);
        if (!seg.second_stream) after = w.exit;
      }
    return after;
  }

  static constexpr Component kForwardOrder[] = {Component::kAttention, Component::kDispatch, Component::kMlp,
                                                Component::kCombine};
  static constexpr Component kBackwardOrder[] = {Component::kCombine, Component::kMlp, Component::kDispatch,
                                                 Component::kAttention};

  void forward_chunk(Gpu& g, ChunkSpans& cs, const PartPlan& p) {
    Chain c;
    for (const BlockPlan& b : p.blocks)
      for (Component comp : kForwardOrder) forward_block(g, c, b, comp);
    cs.forward = c.span;
  }

  void backward_chunk(Gpu& g, ChunkSpans& cs, const PartPlan& p, bool weights) {
    Chain c;
    for (auto b = p.blocks.rbegin(); b != p.blocks.rend(); ++b)
      for (Component comp : kBackwardOrder) backward_block(g, c, *b, comp, weights);
    cs.backward = c.span;
  }

  // DeepSeek-V3's overlapped pair: block j of the forward chunk beside
  // block j (counted from the end) of the backward chunk.
  void pair(Gpu& g, ChunkSpans& fs, const PartPlan& fp, ChunkSpans& bs, const PartPlan& bp) {
    Chain f, b;
    const std::size_t nf = fp.blocks.size(), nb = bp.blocks.size();
    for (std::size_t j = 0; j < std::max(nf, nb); ++j) {
      const BlockPlan* fb = j < nf ? &fp.blocks[j] : nullptr;
      const BlockPlan* bb = j < nb ? &bp.blocks[nb - 1 - j] : nullptr;
      if (bb) backward_block(g, b, *bb, Component::kCombine, true);
      if (fb) forward_block(g, f, *fb, Component::kAttention);
      // MLP(W) waits for dispatch(B) to be issued, so it runs beside it.
      sim::TaskId mlp_input = kNone;
      if (bb) {
        const sim::TaskId before = b.span.exit;
        backward_block(g, b, *bb, Component::kMlp, false);
        if (b.span.exit != before) mlp_input = b.span.exit;
      }
      if (fb) forward_block(g, f, *fb, Component::kDispatch);
      if (bb) backward_block(g, b, *bb, Component::kDispatch, true);
      if (mlp_input != kNone) weight_block(g, mlp_input, *bb, Component::kMlp);
      if (fb) forward_block(g, f, *fb, Component::kMlp);
      if (bb) backward_block(g, b, *bb, Component::kAttention, true);
      if (fb) forward_block(g, f, *fb, Component::kCombine);
    }
    fs.forward = f.span;
    bs.backward = b.span;
  }

  void expand_program(Gpu& g, std::vector<ChunkSpans>& spans) {
    const Program& prog = s_.programs[static_cast<std::size_t>(g.rank)];
    for (std::size_t i = 0; i < prog.size(); ++i) {
      const Op& op = prog[i];
      current_op_ = static_cast<int>(i);
      const sim::TaskId first = static_cast<sim::TaskId>(graph.tasks().size());
      switch (op.kind) {
        case OpKind::kF: forward_chunk(g, spans[chunk(op.a)], part(op.a)); break;
        case OpKind::kB: backward_chunk(g, spans[chunk(op.a)], part(op.a), true); break;
        case OpKind::kI: backward_chunk(g, spans[chunk(op.a)], part(op.a), false); break;
        case OpKind::kW: {
          const PartPlan& p = part(op.a);
          sim::TaskId after = spans[chunk(op.a)].backward.exit;
          for (auto b = p.blocks.rbegin(); b != p.blocks.rend(); ++b)
            for (Component comp : kBackwardOrder) after = weight_block(g, after, *b, comp);
          break;
        }
        case OpKind::kFB: pair(g, spans[chunk(op.a)], part(op.a), spans[chunk(op.b)], part(op.b)); break;
      }
      if (g.replica == 0)
        op_range[static_cast<std::size_t>(g.rank)].push_back({first, static_cast<sim::TaskId>(graph.tasks().size())});
    }
  }

  // Activations and gradients between stages, and each backward's own forward.
  void connect_chunks(int replica, const std::vector<ChunkSpans>& spans) {
    for (int lane = 0; lane < static_cast<int>(s_.rank_of.size()); ++lane)
      for (int st = 0; st < s_.lane_stages(lane); ++st)
        for (int m = 0; m < s_.lane_microbatches[lane]; ++m) {
          const Chunk c{lane, st, m};
          const ChunkSpans& cs = spans[chunk(c)];
          graph.add_edge(cs.forward.exit, cs.backward.entry);
          if (layout_.isolate_pair && st == 0 && m > 0)
            graph.add_edge(spans[chunk({lane, 0, m - 1})].forward.exit, cs.forward.entry);
          if (st > 0) transfer(replica, Chunk{lane, st - 1, m}, c, spans[chunk({lane, st - 1, m})].forward.exit, cs.forward.entry);
          if (st + 1 < s_.lane_stages(lane))
            transfer(replica, Chunk{lane, st + 1, m}, c, spans[chunk({lane, st + 1, m})].backward.exit, cs.backward.entry);
        }
  }

  void transfer(int replica, const Chunk& from_chunk, const Chunk& to_chunk, sim::TaskId from, sim::TaskId to) {
    const int rf = s_.rank_of[from_chunk.lane][from_chunk.stage], rt = s_.rank_of[to_chunk.lane][to_chunk.stage];
    if (rf == rt) {
      graph.add_edge(from, to);
      return;
    }
    sim::TaskId x;
    if (layout_.fidelity == Fidelity::kReduced) {
      x = graph.add_task(net_resource_, net_.p2p_time);
    } else {
      const int a = layout_.gpu(rf, replica), b = layout_.gpu(rt, replica);
      x = graph.add_flow(net_resource_, net_.p2p_bytes,
                         network_->links(network_->router().gpu_path(a, b, static_cast<std::uint64_t>(a) * 65537 + b)));
    }
    graph.add_edge(from, x);
    graph.add_edge(x, to);
    if (replica == 0) transfers0.push_back({TransferRecord{rf, rt, from_chunk, to_chunk.stage < from_chunk.stage, 0, 0}, x});
  }

  // Reduced fidelity with a slowest member: the typical member's (replica
  // 0) all-to-alls wait for the slowest member's (replica 1) launches.
  void add_notify_waits() {
    for (int r = 0; r < s_.ranks; ++r)
      wait_for_slowest(graph, gpus_[static_cast<std::size_t>(r)].calls, gpus_[static_cast<std::size_t>(s_.ranks + r)].calls);
  }

  // Full fidelity: each EP group's members meet at every all-to-all.
  void add_all_to_all_flows() {
    if (layout_.ep < 2) return;
    std::vector<sim::LinkId> cap;  // each GPU's comm-SM injection cap
    for (const Gpu& g : gpus_)
      cap.push_back(std::isfinite(net_.comm_cap_bytes_per_s)
                        ? graph.add_link("gpu" + std::to_string(layout_.gpu(g.rank, g.replica)) + " comm SMs",
                                         net_.comm_cap_bytes_per_s, 0)
                        : kNoLink);
    for (int r = 0; r < s_.ranks; ++r)
      for (int group = 0; group < layout_.dp / layout_.ep; ++group) {
        std::vector<EpGroupMember> members;
        for (int i = 0; i < layout_.ep; ++i) {
          const std::size_t slot = static_cast<std::size_t>((group * layout_.ep + i) * s_.ranks + r);
          members.push_back({layout_.gpu(r, group * layout_.ep + i), &gpus_[slot].calls, cap[slot]});
        }
        exchange_in_ep_group(graph, *network_, net_, net_resource_, members);
      }
  }

  const Schedule& s_;
  const StagePlan& plan_;
  const StepLayout& layout_;
  const StepNetwork& net_;
  bool slowest_member_;  // reduced fidelity: the EP group's slowest member simulated beside the typical one
  int replicas_;
  bool host_tasks_;  // the host as tasks of a thread (synchronisations); else releases
  std::size_t chunk_count_ = 0;
  std::vector<Gpu> gpus_;
  sim::ResourceId net_resource_ = 0;
  std::unique_ptr<ClusterNetwork> network_;
  int current_op_ = -1;   // the program op being expanded
};

}  // namespace

StepGraphResult simulate_step_graph(const Schedule& schedule, const StagePlan& plan, const StepLayout& layout,
                                    const StepNetwork& net) {
  Builder b(schedule, plan, layout, net);
  b.build();
  return read_step_graph(b, sim::run(b.graph), schedule, net);
}

}  // namespace v3sim::models
