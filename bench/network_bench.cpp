// Network benchmarks: the max-min solver under an all-to-all, and building
// the largest multi-plane fabric. Targets in docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include "sim/engine.hpp"
#include "topologies/build_cluster.hpp"

namespace {

using namespace v3sim;

// n GPUs in n/8 nodes; every GPU sends one flow to every other GPU over a
// path of (sender uplink, receiver downlink): an all-to-all at flow level.
void BM_AllToAllFlows(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  sim::TaskGraph g;
  const auto nic = g.add_resource("nics", sim::ResourceOrder::kReady, 0);
  std::vector<sim::LinkId> up, down;
  for (int i = 0; i < n; ++i) {
    up.push_back(g.add_link("up", 50e9, 1000));
    down.push_back(g.add_link("down", 50e9, 1000));
  }
  for (int s = 0; s < n; ++s)
    for (int d = 0; d < n; ++d)
      if (s != d) g.add_flow(nic, 1e6 * (1 + (s * 7 + d * 13) % 5), {up[s], down[d]});
  std::uint64_t events = 0;
  for (auto _ : state) {
    const sim::Timeline t = sim::run(g);
    events += t.events;
    benchmark::DoNotOptimize(t.makespan);
  }
  state.counters["flows"] = static_cast<double>(n * (n - 1));
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AllToAllFlows)->Arg(16)->Arg(64)->Unit(benchmark::kMillisecond);

void BM_BuildMultiPlaneFabric(benchmark::State& state) {
  topologies::ClusterSpec spec;
  spec.nodes = static_cast<int>(state.range(0));
  spec.node.nvlink_bandwidth = 160e9;
  spec.node.nic_bandwidth = 50e9;
  spec.node.pcie_bandwidth = 64e9;
  spec.fabric.kind = topologies::FabricKind::kMultiPlaneFatTree;
  spec.fabric.planes = 8;
  for (auto _ : state) {
    const topologies::Cluster c = topologies::build_cluster(spec);
    benchmark::DoNotOptimize(c.edges.size());
  }
  state.counters["gpus"] = spec.nodes * 8;
}
BENCHMARK(BM_BuildMultiPlaneFabric)->Arg(256)->Arg(2048)->Unit(benchmark::kMillisecond);

}  // namespace

#include "models/moe/ep_alltoall.hpp"

namespace {

// EP64 on 8 H800-like nodes: routing drawn once, then the dispatch phase
// (about 1000 aggregated flows) simulated at flow level each iteration.
void BM_Ep64Dispatch(benchmark::State& state) {
  using namespace v3sim;
  topologies::ClusterSpec spec;
  spec.nodes = 8;
  spec.node.nvlink_bandwidth = 160e9;
  spec.node.nic_bandwidth = 43.5e9;
  spec.node.pcie_bandwidth = 64e9;
  spec.fabric.kind = topologies::FabricKind::kMultiPlaneFatTree;
  spec.fabric.planes = 8;
  const topologies::Cluster cluster = topologies::build_cluster(spec);
  models::EpAllToAllSpec ep;
  ep.ep = 64;
  ep.comm_sms = 20;
  models::RoutingSpec rs;
  rs.ranks = 64;
  rs.groups = 8;
  rs.group_limit = 4;
  const models::TokenRouting routing = models::route_tokens(rs);
  for (auto _ : state) {
    const models::EpPhaseResult r = models::simulate_ep_phase(cluster, ep, routing, models::SmPartition{132, 20, false}, 5.4e9, false);
    benchmark::DoNotOptimize(r.time);
    state.counters["flows"] = static_cast<double>(r.flows);
  }
}
BENCHMARK(BM_Ep64Dispatch)->Unit(benchmark::kMillisecond);

void BM_Ep64Routing(benchmark::State& state) {
  v3sim::models::RoutingSpec rs;
  rs.ranks = 64;
  rs.groups = 8;
  rs.group_limit = 4;
  rs.skew = state.range(1) / 10000.0;
  const int threads = static_cast<int>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(v3sim::models::route_tokens(rs, threads).tokens_to_rank.size());
}
// Args: threads (the draw is the same on any number); skew x 10^4 (14: the
// skew of DeepSeek's trace, which the V3 scenarios carry).
BENCHMARK(BM_Ep64Routing)->Args({1, 0})->Args({2, 0})->Args({1, 14})->Args({2, 14})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
