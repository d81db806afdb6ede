// Transformer Engine's TP communication overlap (parallelism.tp_comm_overlap):
// each component's TP collectives go round the ring in tp chunks beside its
// GEMMs, exposing one chunk plus what they take beyond the GEMMs. Checked on
// Llama 3 70B at TP4 against the same plan without the overlap, and on a
// hand-worked pair of numbers.
#include <gtest/gtest.h>

#include "models/scenario.hpp"
#include "models/training/stage_plan.hpp"

namespace v3sim::models {
namespace {

StagePlan llama_plan(bool overlap) {
  const nlohmann::json doc = {
      {"name", "tp"},
      {"cluster", {{"node", "h100"}, {"nodes", 1}, {"fabric", {{"kind", "rail_optimized"}, {"switch_ports", 64}}}}},
      {"model", "llama3-70b"},
      {"parallelism", {{"pp", 1}, {"tp", 4}, {"sequence_parallel", true}, {"tp_comm_overlap", overlap}}},
      {"schedule", {{"kind", "1f1b"}}},
      {"training", {{"seq_len", 8192}, {"global_batch", 2}, {"framework", "megatron"}}},
      {"calibration", "h100-published"}};
  const Scenario s = parse_scenario(doc);
  return plan_stages(*s.training, s.cluster->gpu, 1, false);
}

double class_ms(const std::vector<Segment>& list, Component c, const std::string& prefix, bool comm) {
  double ms = 0;
  for (const Segment& s : list)
    if (s.component == c && s.comm == comm)
      for (const auto& [cls, d] : s.classes)
        if (cls.rfind(prefix, 0) == 0) ms += sim::to_seconds(d) * 1e3;
  return ms;
}

TEST(TpCommOverlap, ExposesOneChunkPlusWhatTheGemmsCannotHide) {
  const StagePlan plain_plan = llama_plan(false), over_plan = llama_plan(true);
  const BlockPlan& plain = plain_plan.parts[0].blocks[0];
  const BlockPlan& over = over_plan.parts[0].blocks[0];
  for (Component c : {Component::kAttention, Component::kMlp})
    for (auto lists : {std::pair{&plain.forward, &over.forward}, std::pair{&plain.input, &over.input}}) {
      const double comm = class_ms(*lists.first, c, "tp_all_reduce", true);
      const double gemm = class_ms(*lists.first, c, "gemm", false);
      ASSERT_GT(comm, 0);
      const double expected = comm / 4 + std::max(0.0, (comm - gemm) * 3 / 4);
      EXPECT_NEAR(class_ms(*lists.second, c, "tp_all_reduce", true), expected, 1e-5);
      EXPECT_DOUBLE_EQ(class_ms(*lists.second, c, "gemm", false), gemm);  // the GEMMs are not slowed
    }
  // Llama 3 70B's GEMMs are long beside its collectives: one chunk in four stays.
  EXPECT_NEAR(class_ms(over.forward, Component::kMlp, "tp_all_reduce", true),
              class_ms(plain.forward, Component::kMlp, "tp_all_reduce", true) / 4, 1e-5);
}

}  // namespace
}  // namespace v3sim::models
