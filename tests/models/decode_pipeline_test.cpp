// Decode's engine graph on hand-set stage and exchange times: DeepSeek's
// order of the two micro-batches, each exchange hidden exactly when the
// other micro-batch's stages outlast it, a late sender delaying only its own
// messages, and the NIC carrying bytes at line rate, shared.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "models/inference/step_graph.hpp"
#include "sim/engine.hpp"

namespace v3sim::models {
namespace {

constexpr double kUs = 1e-6;

struct Times {
  double a0 = 0, a1 = 0, shared = 0, mlp = 0;
  double dispatch = 0, combine = 0;     // rounds, send to arrival
  double dispatch_bytes = 0, combine_bytes = 0;
  double late = 0;
};

InferenceSpec spec(int layers, bool overlap) {
  InferenceSpec s;
  s.model.layers = layers;
  s.model.dense_layers = 0;
  s.deployment.two_micro_batch = overlap;
  return s;
}

// Every GPU alike except `a1_extra[g]` more ATTN-1 on GPU g.
std::vector<LayerCosts> costs(int layers, int gpus, const Times& t, const std::vector<double>& a1_extra = {}) {
  std::vector<LayerCosts> out(static_cast<std::size_t>(layers));
  for (LayerCosts& c : out) {
    for (int g = 0; g < gpus; ++g) {
      const double extra = a1_extra.empty() ? 0 : a1_extra[static_cast<std::size_t>(g)];
      c.stage_s[Stage::kAttn0].push_back(t.a0 * kUs);
      c.stage_s[Stage::kAttn1].push_back((t.a1 + extra) * kUs);
      c.stage_s[Stage::kShared].push_back(t.shared * kUs);
      c.stage_s[Stage::kMlp].push_back(t.mlp * kUs);
      c.stage_s[Stage::kHead].push_back(0);
    }
    for (auto [x, round, bytes] : {std::tuple{&c.dispatch, t.dispatch, t.dispatch_bytes},
                                   std::tuple{&c.combine, t.combine, t.combine_bytes}}) {
      x->send_s.assign(static_cast<std::size_t>(gpus), 0);
      x->recv_s.assign(static_cast<std::size_t>(gpus), 0);
      x->round_s.assign(static_cast<std::size_t>(gpus), round * kUs);
      x->nic_bytes.assign(static_cast<std::size_t>(gpus), bytes);
      x->late_s.assign(static_cast<std::size_t>(gpus), t.late * kUs);
    }
  }
  return out;
}

struct PipelineRun {
  StepGraph g;
  sim::Timeline tl;
  double makespan_us() const { return static_cast<double>(tl.makespan) * 1e-3; }
  // The n-th recorded task of `stage` on `gpu` (in emission order).
  std::pair<double, double> task(int gpu, const std::string& stage, int mb, int n = 0) const {
    for (std::size_t i = 0; i < g.ids.size(); ++i)
      if (g.meta[i].gpu == gpu && stage == g.meta[i].stage && g.meta[i].mb == mb && n-- == 0)
        return {static_cast<double>(tl.start[g.ids[i]]) * 1e-3, static_cast<double>(tl.end[g.ids[i]]) * 1e-3};
    ADD_FAILURE() << "no task " << stage;
    return {0, 0};
  }
};

PipelineRun run(int layers, int gpus, bool overlap, const Times& t, double line_bytes_per_us = 1e9,
        const std::vector<double>& a1_extra = {}) {
  PipelineRun r;
  build_decode_graph(r.g, spec(layers, overlap), costs(layers, gpus, t, a1_extra), gpus, line_bytes_per_us * 1e6);
  r.tl = sim::run(r.g.graph);
  return r;
}

TEST(DecodePipeline, MicroBatchesRunInDeepSeeksOrder) {
  Times t;
  t.a0 = 1, t.a1 = 1, t.shared = 1, t.mlp = 1, t.dispatch = 1, t.combine = 1;
  const PipelineRun r = run(2, 1, true, t);
  // The compute stages of GPU 0 in the order the stream ran them.
  std::vector<std::pair<double, std::string>> ran;
  for (std::size_t i = 0; i < r.g.ids.size(); ++i) {
    const std::string st = r.g.meta[i].stage;
    if (st == "SEND" || st == "RECV" || st == "HEAD" || r.g.meta[i].exchange) continue;
    ran.emplace_back(static_cast<double>(r.tl.start[r.g.ids[i]]), st + "(" + std::to_string(r.g.meta[i].mb) + ")");
  }
  std::stable_sort(ran.begin(), ran.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string order;
  for (const auto& [at, name] : ran) order += name + " ";
  // After the first micro-batch's start, the open-infra-index figure's
  // cycle: SHARED(0) ATTN-0(1) MLP(0) ATTN-1(1) SHARED(1) ATTN-0(0) MLP(1) ATTN-1(0).
  EXPECT_EQ(order,
            "ATTN-0(0) ATTN-1(0) SHARED(0) ATTN-0(1) MLP(0) ATTN-1(1) SHARED(1) ATTN-0(0) MLP(1) ATTN-1(0) "
            "SHARED(0) ATTN-0(1) MLP(0) ATTN-1(1) SHARED(1) MLP(1) ");
}

// One layer, two micro-batches, by hand. Micro-batch 0's dispatch leaves
// after its ATTN-1 (t1 = a0 + a1) and hides behind its SHARED and micro-
// batch 1's ATTN-0; its combine, sent after its MLP (e1), hides behind
// micro-batch 1's ATTN-1 and SHARED; micro-batch 1's dispatch then has only
// its own SHARED before its MLP, and its combine nothing:
//   e1 = a0 + a1 + max(shared + a0, D) + mlp
//   step = max(e1 + a1 + shared, e1 + C, e1 + a1 + D) + mlp + C.
double by_hand(const Times& t) {
  const double e1 = t.a0 + t.a1 + std::max(t.shared + t.a0, t.dispatch) + t.mlp;
  return std::max({e1 + t.a1 + t.shared, e1 + t.combine, e1 + t.a1 + t.dispatch}) + t.mlp + t.combine;
}

TEST(DecodePipeline, EachExchangeHidesExactlyBehindTheOtherMicroBatchsStages) {
  Times t;
  t.a0 = 20, t.a1 = 100, t.shared = 30, t.mlp = 40, t.dispatch = 45, t.combine = 120;
  // Hidden: SHARED + ATTN-0 = 50 >= 45, ATTN-1 + SHARED = 130 >= 120.
  EXPECT_NEAR(run(1, 2, true, t).makespan_us(), 515, 1e-3);
  EXPECT_NEAR(by_hand(t), 515, 1e-9);
  // The dispatch 20 us longer than what hides it: exposed by 20 in the
  // middle of the layer (and by its full excess at the tail).
  t.dispatch = 70;
  EXPECT_NEAR(run(1, 2, true, t).makespan_us(), by_hand(t), 1e-3);
  EXPECT_NEAR(by_hand(t), 560, 1e-9);
  // The combine 20 us longer than micro-batch 1's ATTN-1 + SHARED.
  t.dispatch = 45;
  t.combine = 150;
  EXPECT_NEAR(run(1, 2, true, t).makespan_us(), by_hand(t), 1e-3);
  EXPECT_NEAR(by_hand(t), 550, 1e-9);
}

// Two GPUs, one micro-batch, one layer: GPU 1's ATTN-1 is late by delta, so
// its dispatch leaves delta after GPU 0's. GPU 0's data from itself and the
// others arrives one round (100 us) after its own send; GPU 1's messages a
// per-peer time (10 us) after GPU 1's send. GPU 0 receives at
// max(110 + 100, 110 + delta + 10): the wait for the late peer is not added
// to a full round (a join then the round would give 110 + delta + 100).
TEST(DecodePipeline, ALateSenderDelaysOnlyItsOwnMessages) {
  Times t;
  t.a0 = 10, t.a1 = 100, t.dispatch = 100, t.combine = 100, t.late = 10;
  for (double delta : {50.0, 150.0}) {
    const PipelineRun r = run(1, 2, false, t, 1e9, {0, delta});
    EXPECT_NEAR(r.task(0, "RECV", 0).second, std::max(210.0, 120 + delta), 1e-3) << delta;
    // GPU 1 waits its own round only.
    EXPECT_NEAR(r.task(1, "RECV", 0).second, 110 + delta + 100, 1e-3) << delta;
  }
}

// The NIC at 1 GB/s (1000 bytes a us); a dispatch of 10,000 bytes (10 us on
// the wire, 15 us a round) and a combine of 30,000 (30 us, 35 us a round),
// no compute. Micro-batch 0's combine and micro-batch 1's dispatch leave
// together at 15 us and share the NIC: the dispatch's bytes are out after 20
// us (35), the combine's 20,000 left then after 20 more (55); each arrives
// its round's 5 us later (40, 60). Micro-batch 1's combine leaves at 60
// alone and arrives at 95.
TEST(DecodePipeline, TheNicCarriesBytesAtLineRateSharedByOverlappingExchanges) {
  Times t;
  t.dispatch = 15, t.combine = 35, t.dispatch_bytes = 10e3, t.combine_bytes = 30e3;
  const PipelineRun r = run(1, 1, true, t, 1000);
  EXPECT_NEAR(r.task(0, "DISPATCH", 0).second, 10, 1e-3);
  EXPECT_NEAR(r.task(0, "DISPATCH", 1).second, 35, 1e-3);
  EXPECT_NEAR(r.task(0, "COMBINE", 0).second, 55, 1e-3);
  EXPECT_NEAR(r.task(0, "RECV", 0, 1).first, 60, 1e-3);  // micro-batch 0's combine arrives
  EXPECT_NEAR(r.makespan_us(), 95, 1e-3);
  // Were the NIC free of the bytes (a round alone each), the step would be
  // 15 + 35 + 35 = 85 us.
  t.dispatch_bytes = t.combine_bytes = 0;
  EXPECT_NEAR(run(1, 1, true, t, 1000).makespan_us(), 85, 1e-3);
}

}  // namespace
}  // namespace v3sim::models
