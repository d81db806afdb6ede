// Prefill's engine graph: compute and comm streams per GPU, DeepEP's normal
// kernels gated by the slowest GPU to start them.
#include <optional>
#include <string>

#include "models/inference/step_graph.hpp"

namespace v3sim::models {

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::kAttn: return "ATTN";
    case Stage::kAttn0: return "ATTN-0";
    case Stage::kAttn1: return "ATTN-1";
    case Stage::kShared: return "SHARED";
    case Stage::kMlp: return "MLP";
    case Stage::kHead: return "HEAD";
  }
  return "";
}

namespace {

// One work item of a micro-batch's chain: a compute stage, or an exchange.
struct Item {
  bool exchange = false;
  bool dispatch = false;  // exchange: dispatch, else combine
  Stage stage = Stage::kAttn;
  int layer = 0;
  bool after_exchange = false;  // no overlap: this stage waits the exchange before it
};

// The turns of one micro-batch's chain: runs of compute stages the program
// gives the compute stream at once before switching micro-batch (DeepSeek's
// prefill figure). Exchanges follow the stage that produces their data.
std::vector<std::vector<Item>> prefill_turns(const ModelConfig& m, int total_layers, bool overlap) {
  std::vector<std::vector<Item>> turns;
  auto stage = [](Stage st, int l, bool after = false) { return Item{false, false, st, l, after}; };
  auto exch = [](bool dispatch, int l) { return Item{true, dispatch, Stage::kAttn, l, false}; };
  for (int l = 0; l < total_layers; ++l) {
    const bool moe = l >= m.layers || l >= m.dense_layers;
    if (l == 0) turns.push_back({stage(Stage::kAttn, 0)});
    if (moe) turns.back().push_back(exch(true, l));
    turns.push_back({stage(Stage::kMlp, l)});
    if (moe) turns.back().push_back(exch(false, l));
    std::vector<Item> next;
    if (moe) next.push_back(stage(Stage::kShared, l, !overlap));
    if (l + 1 < total_layers) next.push_back(stage(Stage::kAttn, l + 1));
    else next.push_back(stage(Stage::kHead, l));
    turns.push_back(next);
  }
  return turns;
}

}  // namespace

void build_prefill_graph(StepGraph& sg, const InferenceSpec& s, const std::vector<LayerCosts>& costs, int ep) {
  sim::TaskGraph& graph = sg.graph;
  const int mbs = s.deployment.two_micro_batch ? 2 : 1;
  const std::size_t n = static_cast<std::size_t>(ep);
  std::vector<sim::ResourceId> compute(n), comm(n);
  for (int g = 0; g < ep; ++g) {
    compute[static_cast<std::size_t>(g)] =
        graph.add_resource("gpu" + std::to_string(g) + " compute", sim::ResourceOrder::kProgram, 1);
    comm[static_cast<std::size_t>(g)] = graph.add_resource("gpu" + std::to_string(g) + " comm", sim::ResourceOrder::kProgram, 1);
    // The normal kernels run on their SMs beside the computation and share
    // HBM and L2 with it (docs/training-model.md, "Kernels contending for
    // one GPU").
    if (s.profile.overlap_compute_slowdown > 1)
      graph.add_slowdown(compute[static_cast<std::size_t>(g)], comm[static_cast<std::size_t>(g)],
                         s.profile.overlap_compute_slowdown);
  }
  const sim::ResourceId joins = graph.add_resource("exchange joins", sim::ResourceOrder::kReady, 0);
  const int total_layers = static_cast<int>(costs.size());
  const auto turns = prefill_turns(s.model, total_layers, s.deployment.two_micro_batch);
  // last[mb][g]: the chain's last compute task; pending[mb][g]: the exchange it last started.
  std::vector<std::vector<std::optional<sim::TaskId>>> last(static_cast<std::size_t>(mbs),
                                                            std::vector<std::optional<sim::TaskId>>(n));
  auto pending = last;
  auto emit_turn = [&](int mb, const std::vector<Item>& turn) {
    const std::size_t b = static_cast<std::size_t>(mb);
    for (const Item& it : turn) {
      const LayerCosts& c = costs[static_cast<std::size_t>(it.layer)];
      if (!it.exchange) {
        const std::vector<double>& dur = c.stage_s.at(it.stage);
        for (std::size_t gi = 0; gi < n; ++gi) {
          const sim::TaskId t = graph.add_task(compute[gi], sim::from_seconds(dur[gi]));
          auto& prev = last[b][gi];
          if (prev) graph.add_edge(*prev, t);
          // A stage after an exchange in the chain waits for it (MLP after
          // dispatch, the next attention after combine).
          auto& ex = pending[b][gi];
          const bool needs = it.stage == Stage::kMlp || it.stage == Stage::kAttn || it.stage == Stage::kHead ||
                             it.after_exchange;
          if (ex && needs) {
            graph.add_edge(*ex, t);
            if (it.stage != Stage::kShared) ex.reset();
          }
          prev = t;
          sg.record(t, TaskMeta{static_cast<int>(gi), false, stage_name(it.stage), mb, it.layer});
        }
        continue;
      }
      const std::vector<double>& dur = it.dispatch ? c.dispatch.time_s : c.combine.time_s;
      const sim::TaskId join = graph.add_task(joins, 0);
      std::vector<sim::TaskId> issue(n);
      for (std::size_t gi = 0; gi < n; ++gi) {
        // The comm stream starts the kernel when it is free; the exchange
        // proceeds once every GPU has started it.
        issue[gi] = graph.add_task(comm[gi], 0);
        graph.add_edge(*last[b][gi], issue[gi]);
        graph.add_edge(issue[gi], join);
      }
      for (std::size_t gi = 0; gi < n; ++gi) {
        const sim::TaskId x = graph.add_task(comm[gi], sim::from_seconds(dur[gi]));
        graph.add_edge(join, x);
        graph.add_edge(issue[gi], x);
        pending[b][gi] = x;
        sg.record(x, TaskMeta{static_cast<int>(gi), true, it.dispatch ? "DISPATCH" : "COMBINE", mb, it.layer});
      }
    }
  };
  for (const auto& turn : turns)
    for (int mb = 0; mb < mbs; ++mb) emit_turn(mb, turn);
}

}  // namespace v3sim::models
