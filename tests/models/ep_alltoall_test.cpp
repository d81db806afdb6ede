// Expert-parallel dispatch and combine: routing statistics against closed
// forms, the flow model against a hand-computed bottleneck, and the DeepEP
// table (reference published-h800.md section 6) through the shipped scenarios.
#include "models/moe/ep_alltoall.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "models/scenario.hpp"
#include "topologies/build_cluster.hpp"

namespace v3sim::models {
namespace {

Scenario load(const std::string& name) {
  std::ifstream in(std::string(V3SIM_SOURCE_DIR) + "/scenarios/bench/" + name);
  return parse_scenario(nlohmann::json::parse(in));
}

TEST(EpAllToAll, TokenBytesFollowDeepEpsAccounting) {
  EXPECT_EQ(token_bytes("fp8", 7168), 7168 * (1 + 4.0 / 128));  // (1 + 4/128)/2 of BF16's 14336
  EXPECT_EQ(token_bytes("bf16", 7168), 14336);
}

TEST(EpAllToAll, UniformRoutingHitsTheExpectedNumberOfRanks) {
  // 8 ranks of 32 experts, top-8 of 256, no group limit: a rank is hit unless
  // all 8 experts avoid its 32: P = C(224,8)/C(256,8).
  RoutingSpec rs;
  rs.ranks = 8;
  rs.groups = 1;
  rs.group_limit = 1;
  const TokenRouting r = route_tokens(rs);
  double miss = 1;
  for (int i = 0; i < 8; ++i) miss *= (224.0 - i) / (256.0 - i);
  double hits = 0;
  for (int s = 0; s < 8; ++s)
    for (int d = 0; d < 8; ++d) hits += static_cast<double>(r.to_rank(s, d));
  EXPECT_NEAR(hits / (8 * 4096), 8 * (1 - miss), 0.02);
}

TEST(EpAllToAll, NodeLimitIsRespected) {
  RoutingSpec rs;
  rs.ranks = 32;
  rs.groups = 4;
  rs.group_limit = 1;  // every token stays on one node
  const TokenRouting r = route_tokens(rs);
  for (int s = 0; s < 32; ++s) {
    std::int64_t sum = 0;
    for (int n = 0; n < 4; ++n) sum += r.to_node(s, n);
    EXPECT_EQ(sum, 4096);
  }
}

TEST(EpAllToAll, SkewLoadsTheFirstRanks) {
  RoutingSpec rs;
  rs.ranks = 8;
  rs.groups = 1;
  rs.group_limit = 1;
  rs.tokens_per_rank = 512;
  auto load_of = [&](int d, const TokenRouting& r) {
    std::int64_t sum = 0;
    for (int s = 0; s < 8; ++s) sum += r.to_rank(s, d);
    return sum;
  };
  const TokenRouting flat = route_tokens(rs);
  rs.skew = 1.0;
  const TokenRouting skewed = route_tokens(rs);
  EXPECT_GT(load_of(0, skewed), load_of(0, flat));
  EXPECT_LT(load_of(7, skewed), load_of(7, flat));
}

TEST(EpAllToAll, SmBoundDispatchTakesTheBusiestSendersBytesOverItsCap) {
  // One node, 8 GPUs, NVLink far faster than 1 SM at 1 GB/s: each GPU's
  // sends are capped at 1 GB/s, so dispatch lasts max_s(bytes out of s) / 1 GB/s
  // plus one NVLink path latency (two hops of 1 us).
  topologies::ClusterSpec cs;
  cs.nodes = 1;
  cs.node.nvlink_bandwidth = 1e12;
  cs.node.nvlink_latency = 1000;
  cs.node.nic_bandwidth = 50e9;
  cs.node.pcie_bandwidth = 64e9;
  const topologies::Cluster c = topologies::build_cluster(cs);
  EpAllToAllSpec spec;
  spec.ep = 8;
  spec.tokens_per_rank = 256;
  spec.comm_sms = 1;
  RoutingSpec rs;
  rs.ranks = 8;
  rs.groups = 1;
  rs.group_limit = 1;
  rs.tokens_per_rank = 256;
  const TokenRouting r = route_tokens(rs);
  double worst = 0;
  for (int s = 0; s < 8; ++s) {
    double out = 0;
    for (int d = 0; d < 8; ++d)
      if (d != s) out += static_cast<double>(r.to_rank(s, d)) * token_bytes("fp8", 7168);
    worst = std::max(worst, out);
  }
  const EpPhaseResult p = simulate_ep_phase(c, spec, r, SmPartition{132, 1, false}, 1e9, false);
  EXPECT_NEAR(static_cast<double>(p.time), worst + 2000, 2.0);  // 1 byte per ns
  EXPECT_EQ(p.bound_by, "comm SMs (NVLink copies)");
}

struct Published {
  const char* scenario;
  double dispatch, combine;  // GB/s, DeepEP's logical bandwidth
  bool rdma;
};

TEST(EpAllToAll, ReproducesDeepEpsH800TableWithin10Percent) {
  const Published table[] = {{"deepep_intranode_ep8.json", 153, 158, false},
                             {"deepep_internode_ep16.json", 43, 43, true},
                             {"deepep_internode_ep32.json", 58, 57, true}};
  for (const auto& row : table) {
    const Scenario s = load(row.scenario);
    const EpResult r = simulate_ep_alltoall(*s.cluster, *s.ep_alltoall);
    const double d = row.rdma ? r.dispatch.rdma_logical_gb_per_s : r.dispatch.nvlink_logical_gb_per_s;
    const double c = row.rdma ? r.combine.rdma_logical_gb_per_s : r.combine.nvlink_logical_gb_per_s;
    EXPECT_NEAR(d / row.dispatch, 1, 0.10) << row.scenario << " dispatch " << d;
    EXPECT_NEAR(c / row.combine, 1, 0.10) << row.scenario << " combine " << c;
  }
}

TEST(EpAllToAll, OffloadRemovesTheSmCap) {
  Scenario s = load("deepep_intranode_ep8.json");
  const EpResult capped = simulate_ep_alltoall(*s.cluster, *s.ep_alltoall);
  s.ep_alltoall->comm_offload = true;
  const EpResult free = simulate_ep_alltoall(*s.cluster, *s.ep_alltoall);
  EXPECT_LT(free.dispatch.time, capped.dispatch.time);
  EXPECT_EQ(free.dispatch.bound_by, "NVLink");
}

}  // namespace
}  // namespace v3sim::models
