// Fabric builders against hand-computed switch and cable counts.
#include <gtest/gtest.h>

#include <set>

#include "topologies/build_cluster.hpp"
#include "topologies/routing.hpp"

namespace v3sim::topologies {
namespace {

constexpr double kGB = 1e9;

ClusterSpec spec(FabricKind kind, int nodes, int ports = 64, double oversub = 1, int planes = 1) {
  ClusterSpec s;
  s.nodes = nodes;
  s.node.gpus = 8;
  s.node.nics = 8;
  s.node.nvlink_bandwidth = 200 * kGB;
  s.node.nic_bandwidth = 50 * kGB;
  s.node.pcie_bandwidth = 64 * kGB;
  s.fabric.kind = kind;
  s.fabric.switch_ports = ports;
  s.fabric.oversubscription = oversub;
  s.fabric.planes = planes;
  return s;
}

TEST(Fabric, TwoLayerFatTreeOf64PortSwitchesReaches2048EndpointsWith96Switches) {
  const Cluster c = build_cluster(spec(FabricKind::kTwoLayerFatTree, 256));
  EXPECT_EQ(c.fabric.endpoints, 2048);
  EXPECT_EQ(c.fabric.leaves, 64);   // 2048 / 32 down ports
  EXPECT_EQ(c.fabric.spines, 32);   // 64 leaves x 32 up ports / 64
  EXPECT_EQ(c.switch_count(), 96);
  // Cables: per node 8 NVLink + 8 PCIe; 2048 NIC-leaf; 64 x 32 leaf-spine (one each).
  EXPECT_EQ(c.cable_count(), 256u * 16 + 2048 + 64 * 32);
  EXPECT_DOUBLE_EQ(c.fabric.bisection_bandwidth, 2048 * 50 * kGB / 2);
}

TEST(Fabric, EightPlanesOf64PortSwitchesReach16384Endpoints) {
  const Cluster c = build_cluster(spec(FabricKind::kMultiPlaneFatTree, 2048, 64, 1, 8));
  EXPECT_EQ(c.fabric.endpoints, 16384);
  EXPECT_EQ(c.fabric.planes, 8);
  EXPECT_EQ(c.switch_count(), 8 * 96);
}

TEST(Fabric, ThreeLayerKAryFatTree) {
  // k = 16: k^3/4 = 1024 endpoints, 5k^2/4 = 320 switches.
  const Cluster c = build_cluster(spec(FabricKind::kThreeLayerFatTree, 128, 16));
  EXPECT_EQ(c.fabric.endpoints, 1024);
  EXPECT_EQ(c.fabric.leaves, 128);
  EXPECT_EQ(c.fabric.spines, 128);
  EXPECT_EQ(c.fabric.cores, 64);
  EXPECT_EQ(c.switch_count(), 320);
}

TEST(Fabric, OversubscriptionShiftsPortsToEndpoints) {
  // 3:1 on 64 ports: 48 down, 16 up; 2048 endpoints need ceil(2048/48) = 43
  // leaves and ceil(43 * 16 / 64) = 11 spines; bisection is half the uplinks.
  const Cluster c = build_cluster(spec(FabricKind::kTwoLayerFatTree, 256, 64, 3));
  EXPECT_EQ(c.fabric.leaves, 43);
  EXPECT_EQ(c.fabric.spines, 11);
  EXPECT_DOUBLE_EQ(c.fabric.bisection_bandwidth, 43 * 16 * 50 * kGB / 2);
}

TEST(Fabric, RailOptimizedGivesEachRailItsOwnLeaves) {
  // 64 nodes, 8 rails of 64 NICs: 2 leaves per rail, 16 leaves; 16 x 32 / 64 = 8 spines.
  const Cluster c = build_cluster(spec(FabricKind::kRailOptimized, 64));
  EXPECT_EQ(c.fabric.leaves, 16);
  EXPECT_EQ(c.fabric.spines, 8);
  // NIC 3 of nodes 0 and 31 share a leaf; NIC 3 and NIC 4 of node 0 do not.
  Router r(c);
  EXPECT_EQ(r.shortest_path(c.nic(0, 3), c.nic(31, 3), 1).size(), 2u);
  EXPECT_EQ(r.shortest_path(c.nic(0, 3), c.nic(0, 4), 1).size(), 4u);
}

TEST(Routing, EcmpIsDeterministicAndSpreadsOverSpines) {
  const Cluster c = build_cluster(spec(FabricKind::kTwoLayerFatTree, 256));
  Router r(c);
  const VertexId a = c.nic(0, 0), b = c.nic(255, 7);
  std::set<VertexId> spines;
  for (std::uint64_t f = 0; f < 64; ++f) {
    const auto p = r.shortest_path(a, b, f);
    ASSERT_EQ(p.size(), 4u);  // NIC, leaf, spine, leaf, NIC
    EXPECT_EQ(p, r.shortest_path(a, b, f));
    spines.insert(boost::target(p[1], c.graph));
  }
  EXPECT_GT(spines.size(), 16u);  // 64 flows hashed over 32 spines
}

TEST(Routing, ExpertTrafficCrossesTheFabricInItsOwnPlaneThenNvlink) {
  const Cluster c = build_cluster(spec(FabricKind::kMultiPlaneFatTree, 16, 64, 1, 8));
  Router r(c);
  const int from = 0 * 8 + 2, to = 5 * 8 + 6;  // node 0 GPU 2 -> node 5 GPU 6
  const Router::Split s = r.gpu_path_split(from, to, 42);
  EXPECT_EQ(s.relay_gpu, 5 * 8 + 2);  // same in-node index on the target node
  for (EdgeId e : s.fabric) {
    const VertexProps& v = c.graph[boost::target(e, c.graph)];
    if (v.kind == VertexKind::kLeaf || v.kind == VertexKind::kSpine) {
      EXPECT_EQ(v.plane, 2);
    }
  }
  // GPU -> NIC -> leaf -> NIC -> GPU (16 nodes fit one leaf per plane), then GPU -> NVSwitch -> GPU.
  EXPECT_EQ(s.fabric.size(), 4u);
  EXPECT_EQ(s.nvlink.size(), 2u);
  EXPECT_TRUE(r.gpu_path_split(3, 3 + 8, 1).nvlink.empty());
  EXPECT_TRUE(r.gpu_path_split(1, 6, 1).fabric.empty());
}

}  // namespace
// The router's shortcuts (node-local BFS, distances into a NIC from its
// switch) give exactly the paths of a BFS to the destination over the whole
// graph with the same ECMP rule, written out here independently.
std::vector<EdgeId> reference_path(const Cluster& c, VertexId src, VertexId dst, std::uint64_t flow_id) {
  std::vector<int> d(boost::num_vertices(c.graph), -1);
  std::vector<VertexId> queue{dst};
  d[dst] = 0;
  for (std::size_t h = 0; h < queue.size(); ++h)
    for (auto [e, end] = boost::out_edges(queue[h], c.graph); e != end; ++e)
      if (const VertexId w = boost::target(*e, c.graph); d[w] < 0) {
        d[w] = d[queue[h]] + 1;
        queue.push_back(w);
      }
  std::vector<EdgeId> path, next;
  for (VertexId v = src; v != dst;) {
    next.clear();
    for (auto [e, end] = boost::out_edges(v, c.graph); e != end; ++e)
      if (d[boost::target(*e, c.graph)] == d[v] - 1) next.push_back(*e);
    const EdgeId chosen = next[mix_hash(flow_id * 0x100000001b3ULL + v) % next.size()];
    path.push_back(chosen);
    v = boost::target(chosen, c.graph);
  }
  return path;
}

TEST(Routing, ShortcutsGiveTheWholeGraphBfsPaths) {
  for (const ClusterSpec& s : {spec(FabricKind::kTwoLayerFatTree, 16, 16), spec(FabricKind::kThreeLayerFatTree, 32, 8),
                               spec(FabricKind::kRailOptimized, 16, 16), spec(FabricKind::kMultiPlaneFatTree, 16, 16, 1, 4),
                               spec(FabricKind::kTwoLayerFatTree, 16, 16, 3)}) {
    const Cluster c = build_cluster(s);
    Router router(c);
    const int gpus = static_cast<int>(c.gpus.size());
    for (int i = 0; i < 400; ++i) {
      const int a = static_cast<int>(mix_hash(2 * i) % gpus), b = static_cast<int>(mix_hash(2 * i + 1) % gpus);
      const Router::Split split = router.gpu_path_split(a, b, i);
      std::vector<EdgeId> expected;
      const VertexProps& pa = c.graph[c.gpus[a]];
      const VertexProps& pb = c.graph[c.gpus[b]];
      int relay = a;
      if (pa.node != pb.node) {
        relay = pb.node * c.gpus_per_node + pa.index;
        const int nic = pa.index * c.nics_per_node / c.gpus_per_node;
        for (const auto& leg : {reference_path(c, c.gpus[a], c.nic(pa.node, nic), i),
                                reference_path(c, c.nic(pa.node, nic), c.nic(pb.node, nic), i),
                                reference_path(c, c.nic(pb.node, nic), c.gpus[relay], i)})
          expected.insert(expected.end(), leg.begin(), leg.end());
      }
      EXPECT_EQ(split.fabric, expected) << s.fabric.planes << " planes, pair " << a << " " << b;
      if (relay != b) {
        EXPECT_EQ(split.nvlink, reference_path(c, c.gpus[relay], c.gpus[b], i));
      }
    }
  }
}

}  // namespace v3sim::topologies
