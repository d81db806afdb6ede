// Decode's engine graph: one in-order compute stream per GPU running both
// micro-batches' stages and DeepEP's low-latency send and receive kernels in
// DeepSeek's order; each exchange in flight between them on the GPU's NIC.
#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "models/inference/step_graph.hpp"

namespace v3sim::models {
namespace {

enum class Kind { kStage, kSend, kRecv };

struct Item {
  Kind kind = Kind::kStage;
  Stage stage = Stage::kAttn0;
  bool dispatch = false;  // send/recv: of the dispatch, else of the combine
  int layer = 0;
};

// One micro-batch's chain as turns: [combine receive, ATTN-0],
// [ATTN-1, dispatch send, SHARED], [dispatch receive, MLP, combine send]
// per layer, then [combine receive, HEAD]. The main model's head runs before
// the MTP module, which drafts from its token. Without two micro-batches
// nothing hides an exchange, and SHARED runs after the dispatch arrives.
std::vector<std::vector<Item>> decode_turns(const ModelConfig& m, int total_layers, bool overlap) {
  std::vector<std::vector<Item>> turns;
  auto stage = [](Stage st, int l) { return Item{Kind::kStage, st, false, l}; };
  auto send = [](bool d, int l) { return Item{Kind::kSend, Stage::kAttn0, d, l}; };
  auto recv = [](bool d, int l) { return Item{Kind::kRecv, Stage::kAttn0, d, l}; };
  auto moe = [&](int l) { return l >= m.layers || l >= m.dense_layers; };
  for (int l = 0; l <= total_layers; ++l) {
    std::vector<Item> first;
    if (l > 0 && moe(l - 1)) first.push_back(recv(false, l - 1));
    if (l == m.layers || l == total_layers) first.push_back(stage(Stage::kHead, l - 1));
    if (l == total_layers) {
      turns.push_back(first);
      break;
    }
    first.push_back(stage(Stage::kAttn0, l));
    turns.push_back(first);
    if (!moe(l)) {
      turns.push_back({stage(Stage::kAttn1, l)});
      turns.push_back({stage(Stage::kMlp, l)});
      continue;
    }
    if (overlap) {
      turns.push_back({stage(Stage::kAttn1, l), send(true, l), stage(Stage::kShared, l)});
      turns.push_back({recv(true, l), stage(Stage::kMlp, l), send(false, l)});
    } else {
      turns.push_back({stage(Stage::kAttn1, l), send(true, l), recv(true, l), stage(Stage::kShared, l)});
      turns.push_back({stage(Stage::kMlp, l), send(false, l)});
    }
  }
  return turns;
}

}  // namespace

void build_decode_graph(StepGraph& sg, const InferenceSpec& s, const std::vector<LayerCosts>& costs, int ep,
                        double nic_line_bytes_per_s) {
  sim::TaskGraph& graph = sg.graph;
  const int mbs = s.deployment.two_micro_batch ? 2 : 1;
  const std::size_t n = static_cast<std::size_t>(ep);
  std::vector<sim::ResourceId> compute(n);
  std::vector<sim::PathId> nic(n);
  for (std::size_t g = 0; g < n; ++g) {
    compute[g] = graph.add_resource("gpu" + std::to_string(g) + " compute", sim::ResourceOrder::kProgram, 1);
    // The NIC's line rate, shared max-min fairly by the exchanges on the
    // wire at once; its bytes stand for both directions (the larger).
    nic[g] = graph.add_path({graph.add_link("gpu" + std::to_string(g) + " nic", nic_line_bytes_per_s, 0)});
  }
  const sim::ResourceId wire = graph.add_resource("nic flows", sim::ResourceOrder::kReady, 0);
  const sim::ResourceId joins = graph.add_resource("last senders", sim::ResourceOrder::kReady, 0);

  // Per micro-batch and GPU: the chain's last task, the sends awaiting their
  // receive, and the receives of the buffers in use (DeepEP holds two).
  struct InFlight {
    sim::TaskId arrival_nic;  // the NIC's bytes done
    double rest_s;            // the round's time beyond kernels and wire
    sim::TaskId last_sender;  // every GPU's send done
    double late_s;
  };
  std::vector<std::vector<std::optional<sim::TaskId>>> last(static_cast<std::size_t>(mbs),
                                                            std::vector<std::optional<sim::TaskId>>(n));
  std::vector<std::vector<std::optional<InFlight>>> flying(static_cast<std::size_t>(mbs),
                                                          std::vector<std::optional<InFlight>>(n));
  // Per GPU: its last two receives (the buffers in use), the latest second.
  std::vector<std::array<std::optional<sim::TaskId>, 2>> receives(n);

  const int total_layers = static_cast<int>(costs.size());
  const auto turns = decode_turns(s.model, total_layers, s.deployment.two_micro_batch);
  auto chain = [&](std::size_t b, std::size_t g, sim::TaskId t) {
    if (last[b][g]) graph.add_edge(*last[b][g], t);
    last[b][g] = t;
  };
  auto emit_turn = [&](int mb, const std::vector<Item>& turn) {
    const std::size_t b = static_cast<std::size_t>(mb);
    for (const Item& it : turn) {
      const LayerCosts& c = costs[static_cast<std::size_t>(it.layer)];
      const ExchangeCost& x = it.dispatch ? c.dispatch : c.combine;
      const char* name = it.dispatch ? "DISPATCH" : "COMBINE";
      if (it.kind == Kind::kStage) {
        const std::vector<double>& dur = c.stage_s.at(it.stage);
        for (std::size_t g = 0; g < n; ++g) {
          const sim::TaskId t = graph.add_task(compute[g], sim::from_seconds(dur[g]));
          chain(b, g, t);
          sg.record(t, TaskMeta{static_cast<int>(g), false, stage_name(it.stage), mb, it.layer});
        }
      } else if (it.kind == Kind::kSend) {
        const sim::TaskId all_sent = graph.add_task(joins, 0);
        for (std::size_t g = 0; g < n; ++g) {
          const sim::TaskId t = graph.add_task(compute[g], sim::from_seconds(x.send_s[g]));
          chain(b, g, t);
          // DeepEP's two buffers: a send reuses the buffer of the exchange
          // two before it, which must have been received.
          if (receives[g][0]) graph.add_edge(*receives[g][0], t);
          graph.add_edge(t, all_sent);
          // The bytes leave once the send kernel has issued them.
          const sim::TaskId w = x.nic_bytes[g] > 0 ? graph.add_flow_on(wire, x.nic_bytes[g], nic[g]) : graph.add_task(wire, 0);
          graph.add_edge(t, w);
          const double on_wire = x.nic_bytes[g] / nic_line_bytes_per_s;
          const double rest = std::max(0.0, x.round_s[g] - x.send_s[g] - x.recv_s[g] - on_wire);
          flying[b][g] = InFlight{w, rest, all_sent, x.late_s[g]};
          sg.record(t, TaskMeta{static_cast<int>(g), false, "SEND", mb, it.layer});
          sg.record(w, TaskMeta{static_cast<int>(g), true, name, mb, it.layer});
        }
      } else {
        for (std::size_t g = 0; g < n; ++g) {
          const InFlight f = *flying[b][g];
          const sim::TaskId t = graph.add_task(compute[g], sim::from_seconds(x.recv_s[g]));
          chain(b, g, t);
          // The receive spins until the messages are in: its own NIC's share
          // of the round, and the last sender's messages after its send.
          graph.add_edge(f.arrival_nic, t, sim::from_seconds(f.rest_s));
          graph.add_edge(f.last_sender, t, sim::from_seconds(f.late_s));
          receives[g] = {receives[g][1], t};
          flying[b][g].reset();
          sg.record(t, TaskMeta{static_cast<int>(g), false, "RECV", mb, it.layer});
        }
      }
    }
  };
  // The second micro-batch runs one turn behind the first.
  for (std::size_t i = 0; i <= turns.size(); ++i) {
    if (i < turns.size()) emit_turn(0, turns[i]);
    if (mbs == 2 && i > 0) emit_turn(1, turns[i - 1]);
  }
}

}  // namespace v3sim::models
