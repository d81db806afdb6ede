// The main scenario's Chakra export (DeepSeek-V3 on 2048 H800s: PP16
// DualPipe, EP64, DP128, ZeRO-1) against the rules an ASTRA-sim run depends
// on (tests/report/chakra_rules.hpp): every one of its 2048 traces decoded
// and checked, and its communicator groups counted by hand.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "models/scenario.hpp"
#include "models/training/training_step.hpp"
#include "report/chakra/chakra_program.hpp"
#include "report/chakra/comm_groups.hpp"
#include "report/chakra/npu_trace.hpp"
#include "sim/json_reader.hpp"
#include "tests/report/chakra_rules.hpp"

namespace v3sim::report {
namespace {

models::TrainingResult main_step() {
  std::ifstream in(std::string(V3SIM_SOURCE_DIR) + "/scenarios/deepseek_v3_pretrain_2048xh800.json");
  std::stringstream text;
  text << in.rdbuf();
  const models::Scenario s = models::parse_scenario(nlohmann::json::parse(text.str()));
  return models::simulate_training(*s.cluster, *s.training);
}

void check_export(const models::TrainingResult& r, int replicas, int npus, std::size_t groups_by_hand) {
  const ChakraPrograms p = chakra_programs(r, replicas);
  std::vector<bool> mirrored;
  for (const StageProgram& s : p.stages) mirrored.push_back(s.mirrored);
  const CommGroups g = comm_groups(p.grid, mirrored);
  ChakraProtoMsg::GlobalMetadata common;
  common.set_version(kChakraVersion);
  const NpuTraceWriter writer(p, g, common);
  ASSERT_EQ(p.grid.npus(), npus);
  test::ChakraRules rules(nlohmann::json::parse(g.json()));
  EXPECT_EQ(rules.groups(), groups_by_hand);
  for (int npu = 0; npu < npus; ++npu) rules.add(npu, writer.trace(npu));
  rules.finish(npus);
  // DualPipe: every rank's micro-batches cross both its boundaries, so the
  // step holds transfers; every NPU issues collectives.
  EXPECT_GT(rules.transfers(), 0u);
  EXPECT_GT(rules.collectives(), 0);
}

// All 2048 GPUs. Groups by hand: a stage holds 128 GPUs, so 2 expert groups
// of 64 (32 in the step), one data-parallel group of 128 (16), 64
// expert-data-parallel pairs (1024), and DualPipe pairs stage s with stage
// 15 - s at each of the 128 positions (8 x 128 = 1024).
TEST(ChakraExport, MainScenarioEveryNpuFollowsTheRules) {
  check_export(main_step(), 128, 2048, 32 + 16 + 1024 + 1024);
}

// The smallest symmetric subset: 64 replicas fill one expert group per stage
// (16 groups), one data-parallel group of 64 per stage (16), the expert
// replicas are one each (no expert-data-parallel group), and 8 x 64 mirror
// pairs.
TEST(ChakraExport, MainScenarioSymmetricSubsetFollowsTheRules) {
  check_export(main_step(), 64, 1024, 16 + 16 + 8 * 64);
}

// The rules themselves catch what would deadlock or mislead ASTRA-sim, on
// two-NPU traces built by hand: NPU `npu` issues collectives of `sizes` on
// group 1 = {0, 1}, chained or not, or names group `group`.
ChakraTrace hand_trace(int npu, std::vector<std::int64_t> sizes, bool chained, const std::string& group = "1") {
  ChakraTrace t;
  t.metadata.set_version("0.0.4");
  auto* m = t.metadata.add_attr();
  m->set_name("npu");
  m->set_int64_val(npu);
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    ChakraProtoMsg::Node& n = t.nodes.emplace_back();
    n.set_id(i);
    n.set_type(ChakraProtoMsg::COMM_COLL_NODE);
    if (chained && i > 0) n.add_ctrl_deps(i - 1);
    for (const auto& [name, v] : {std::pair{"comm_type", std::int64_t{ChakraProtoMsg::ALL_TO_ALL}}, {"comm_size", sizes[i]}}) {
      auto* a = n.add_attr();
      a->set_name(name);
      a->set_int64_val(v);
    }
    auto* a = n.add_attr();
    a->set_name("pg_name");
    a->set_string_val(group);
  }
  return t;
}
void check_pair(const ChakraTrace& a, const ChakraTrace& b) {
  test::ChakraRules rules(nlohmann::json::parse(R"({"1": [0, 1]})"));
  rules.add(0, a);
  rules.add(1, b);
  rules.finish(2);
}
void unchained() { check_pair(hand_trace(0, {8, 8}, false), hand_trace(1, {8, 8}, false)); }
void mismatched() { check_pair(hand_trace(0, {8, 16}, true), hand_trace(1, {16, 8}, true)); }
void foreign_group() { check_pair(hand_trace(0, {8}, true), hand_trace(1, {8}, true, "2")); }

TEST(ChakraRules, CatchWhatWouldDeadlock) {
  check_pair(hand_trace(0, {8, 16}, true), hand_trace(1, {8, 16}, true));  // the rules hold
  EXPECT_NONFATAL_FAILURE(unchained(), "not chained");
  EXPECT_NONFATAL_FAILURE(mismatched(), "other collectives");
  EXPECT_NONFATAL_FAILURE(foreign_group(), "does not hold it");
}

TEST(ChakraExport, RefusesASubsetThatSplitsAnExpertGroup) {
  const models::TrainingResult r = main_step();
  EXPECT_THROW(chakra_programs(r, 32), std::invalid_argument);   // 32 GPUs a stage, ep 64
  EXPECT_THROW(chakra_programs(r, 129), std::invalid_argument);  // more than dp
  EXPECT_THROW(chakra_programs(r, 0), std::invalid_argument);
}

}  // namespace
}  // namespace v3sim::report
