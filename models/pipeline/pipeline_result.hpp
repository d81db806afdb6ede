#pragma once
// What a simulated pipeline step produced: per-op timings, per-rank busy time,
// bubble and activation memory. Plain data, read by the report writers.
#include <cstdint>
#include <utility>
#include <vector>

#include "models/schedule/schedule.hpp"
#include "sim/time.hpp"

namespace v3sim::models {

struct OpRecord {
  Op op;
  sim::Time start;
  sim::Time end;
};

// A point-to-point transfer of activations (forward) or gradients (backward).
struct TransferRecord {
  int from_rank;
  int to_rank;
  Chunk chunk;  // the chunk whose output is sent
  bool gradient;
  sim::Time start;
  sim::Time end;
};

struct RankResult {
  int rank = 0;
  sim::Time busy = 0;    // compute stream busy
  sim::Time bubble = 0;  // step time minus busy
  int peak_activations = 0;  // stage-chunks of activations held at once
  double parameter_copies = 0;
  std::vector<OpRecord> ops;  // program order
  std::vector<TransferRecord> sends;
  std::vector<std::pair<sim::Time, int>> activation_curve;  // (time, chunks held from then on)
};

struct PipelineResult {
  Schedule schedule;
  sim::Time step_time = 0;
  std::vector<RankResult> ranks;
  std::uint64_t events = 0;
  std::size_t tasks = 0;
  double wall_seconds = 0;

  // Idle share of all ranks' time: sum of bubbles over ranks x step time.
  double bubble_fraction() const;
  sim::Time max_bubble() const;
};

}  // namespace v3sim::models
