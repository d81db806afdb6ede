#pragma once
// Flows that all start together and wait for nothing: the engine's flow
// semantics (sim/engine.cpp) without a task graph. Every flow's bytes drain at
// its max-min fair rate (sim/max_min_solver.hpp), re-solved each time flows
// drain; a flow ends one path latency after its bytes are gone. An
// expert-parallel dispatch is such a batch, run once per layer on the same
// paths with different bytes: the batch keeps its links and paths and runs
// any number of byte vectors.
//
// The ends are exactly those of sim::run on the same flows as independent
// tasks of one unbounded resource (tests/sim/flow_batch_test.cpp).
#include <cstdint>
#include <span>
#include <vector>

#include "sim/drain_queue.hpp"
#include "sim/max_min_solver.hpp"
#include "sim/time.hpp"

namespace v3sim::sim {

class FlowBatch {
 public:
  using LinkId = std::uint32_t;

  // `bytes_per_s` > 0; `latency` is added once per flow crossing the link.
  LinkId add_link(double bytes_per_s, Time latency);
  // A flow along `links` (each at most once); returns its index.
  std::uint32_t add_flow(std::span<const LinkId> links);

  struct Result {
    std::vector<Time> end;    // per flow: its bytes drained, then its path's latency
    Time makespan = 0;
    std::uint64_t events = 0;  // drains and ends, as sim::run counts them
  };
  // `bytes[i]` for flow i; a flow of no bytes (or no links) takes its latency
  // only. Runs reuse the batch's solver and buffers (one run at a time).
  Result run(std::span<const double> bytes);

  std::size_t flows() const { return path_begin_.size(); }

 private:
  std::vector<double> capacity_;  // bytes per ns
  std::vector<Time> latency_;
  std::vector<LinkId> path_links_;
  std::vector<std::uint32_t> path_begin_, path_end_;
  std::vector<Time> path_latency_;
  // A run's state, kept between runs.
  struct Draining {
    double remaining = 0, rate = 0;
    Time since = 0;
    std::uint32_t flow = 0;
  };
  MaxMinSolver solver_;
  std::vector<Draining> draining_;  // by solver id
  DrainQueue drains_{0};
};

}  // namespace v3sim::sim
