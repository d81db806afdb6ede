#pragma once
// What building a step's task graph leaves for reading its timeline: the
// graph and replica 0's records (models/training/step_graph.cpp builds them,
// step_graph_result.cpp reads the engine's timeline back through them).
// Internal to the training step.
#include <cstddef>
#include <utility>
#include <vector>

#include "models/training/ep_group_calls.hpp"
#include "models/training/step_graph.hpp"
#include "sim/engine.hpp"
#include "sim/task_graph.hpp"

namespace v3sim::models {

constexpr sim::TaskId kNone = ~sim::TaskId{0};

// The first and last task of a piece of work; for a comm kernel in full
// fidelity, its launch and its completion.
struct Span {
  sim::TaskId entry = kNone;
  sim::TaskId exit = kNone;
};

// How the host issued a record's kernels: by a task of its thread, or (no
// synchronisation anywhere) by a time, the thread's running sum, set as the
// kernels' release; neither where the host is not simulated.
struct HostIssue {
  sim::TaskId task = kNone;
  sim::Time at = -1;
};

struct ChunkSpans {
  Span forward, backward;
};

struct StepGraphParts {
  sim::TaskGraph graph;
  std::vector<ComponentRecord> records;        // replica 0, filled with times after the run
  std::vector<sim::TaskId> record_task;
  std::vector<sim::TaskId> record_start;       // the task whose start is the record's (a comm kernel's launch)
  std::vector<HostIssue> record_issue;
  std::vector<bool> host_resource;             // by resource id: a host thread (its tasks are no GPU work)
  std::vector<std::pair<std::size_t, CommCall>> notify_records;  // replica 0's waiting notifies: record index, its call
  std::vector<std::pair<sim::TaskId, int>> other_replicas;  // (task, rank) of replicas 1.. (full fidelity; the slowest member)
  std::vector<std::vector<std::pair<sim::TaskId, sim::TaskId>>> op_range;  // replica 0: [rank][op] task range
  std::vector<ChunkSpans> spans0;  // replica 0's chunks
  std::vector<std::pair<TransferRecord, sim::TaskId>> transfers0;  // replica 0's pipeline transfers
  std::vector<std::size_t> chunk_base;  // per lane: the index of its first chunk

  std::size_t chunk(const Schedule& s, const Chunk& c) const {
    return chunk_base[static_cast<std::size_t>(c.lane)] +
           static_cast<std::size_t>(c.stage) * s.lane_microbatches[c.lane] + static_cast<std::size_t>(c.microbatch);
  }
};

// The step's result from the engine's timeline of the parts' graph.
StepGraphResult read_step_graph(const StepGraphParts& parts, const sim::Timeline& tl, const Schedule& schedule,
                                const StepNetwork& net);

}  // namespace v3sim::models
