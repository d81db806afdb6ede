// Ring collectives against the closed forms of the ring algorithm.
#include "models/collectives.hpp"

#include <gtest/gtest.h>

#include "sim/engine.hpp"
#include "topologies/build_cluster.hpp"

namespace v3sim::models {
namespace {

topologies::Cluster cluster(int nodes) {
  topologies::ClusterSpec cs;
  cs.nodes = nodes;
  cs.node.nvlink_bandwidth = 100e9;  // 100 bytes/ns
  cs.node.nvlink_latency = 500;      // GPU -> NVSwitch -> GPU: 1000 ns
  cs.node.nic_bandwidth = 10e9;      // 10 bytes/ns
  cs.node.pcie_bandwidth = 50e9;
  cs.fabric.kind = topologies::FabricKind::kTwoLayerFatTree;
  return topologies::build_cluster(cs);
}

sim::Time run_ring(const topologies::Cluster& c, CollectiveKind kind, const std::vector<int>& gpus, double bytes) {
  sim::TaskGraph g;
  ClusterNetwork net(c, g);
  const auto res = g.add_resource("comm", sim::ResourceOrder::kReady, 0);
  add_ring_collective(net, res, kind, gpus, bytes);
  return sim::run(g).makespan;
}

TEST(Collectives, RingAllGatherInOneNodeIsNMinus1StepsOfAChunk) {
  const auto c = cluster(1);
  for (int n : {2, 4, 8}) {
    std::vector<int> gpus;
    for (int i = 0; i < n; ++i) gpus.push_back(i);
    const double bytes = 8e6;
    // Each step: bytes/n over 100 bytes/ns plus 1000 ns of path latency.
    const double step = bytes / n / 100 + 1000;
    EXPECT_NEAR(static_cast<double>(run_ring(c, CollectiveKind::kAllGather, gpus, bytes)), (n - 1) * step, 1.0 * n);
    EXPECT_NEAR(static_cast<double>(run_ring(c, CollectiveKind::kReduceScatter, gpus, bytes)), (n - 1) * step, 1.0 * n);
    EXPECT_NEAR(static_cast<double>(run_ring(c, CollectiveKind::kAllReduce, gpus, bytes)), 2 * (n - 1) * step, 2.0 * n);
  }
}

TEST(Collectives, RingAcrossNodesIsBoundByTheNic) {
  // GPU 0 of 4 nodes: every hop crosses the fabric at 10 bytes/ns.
  const auto c = cluster(4);
  const std::vector<int> gpus = {0, 8, 16, 24};
  const double bytes = 4e6;
  const sim::Time t = run_ring(c, CollectiveKind::kAllGather, gpus, bytes);
  // Path: GPU-NIC (PCIe), NIC-leaf, leaf-NIC, NIC-GPU; zero latencies here.
  EXPECT_NEAR(static_cast<double>(t), 3 * (bytes / 4 / 10), 3.0);
}

TEST(Collectives, PointToPointIsLatencyPlusBytesOverTheSlowestLink) {
  const auto c = cluster(2);
  sim::TaskGraph g;
  ClusterNetwork net(c, g);
  const auto res = g.add_resource("comm", sim::ResourceOrder::kReady, 0);
  add_point_to_point(net, res, 3, 8 + 3, 1e6);  // same index: fabric only, NIC-bound
  EXPECT_NEAR(static_cast<double>(sim::run(g).makespan), 1e6 / 10, 1.0);
}

}  // namespace
}  // namespace v3sim::models
