#pragma once
// Pipeline schedules: generators of per-rank programs plus the placement of
// stages on ranks. See docs/schedules.md for each schedule's definition.
#include <optional>
#include <string>
#include <vector>

#include "models/schedule/op.hpp"

namespace v3sim::models {

enum class ScheduleKind { kGPipe, k1F1B, kInterleaved1F1B, kZB1P, kZBH2, kDualPipe, kDualPipeV };

struct ScheduleSpec {
  ScheduleKind kind = ScheduleKind::k1F1B;
  int stages = 0;        // pipeline stages; DualPipeV holds two per rank
  int microbatches = 0;  // per step (DualPipe: both directions together)
  int chunks = 1;        // interleaved 1F1B: model chunks per rank
  std::optional<int> layers;  // when known, checked for divisibility
  // Interleaved 1F1B: micro-batches that pass through one chunk before the
  // next (Megatron-Core's microbatch_group_size_per_vp_stage); 0: the
  // stages, or the smallest valid size above them (interleaved_group).
  int microbatch_group = 0;
};

// The micro-batch group interleaved 1F1B runs: `microbatch_group`, or by
// default the stages when valid, else the smallest valid size above them.
// Valid as Megatron-Core requires: between the stages and the micro-batches,
// and the last group's remainder (micro-batches mod the size) 0 or at least
// the stages.
int interleaved_group(const ScheduleSpec& spec);

struct Schedule {
  ScheduleSpec spec;
  int ranks = 0;
  // Placement: for each lane and each stage along it, the rank that runs it
  // and the model part (a slice of layers) it computes.
  std::vector<std::vector<int>> rank_of;
  std::vector<std::vector<int>> part_of;
  int model_parts = 0;
  std::vector<int> lane_microbatches;
  std::vector<Program> programs;  // one per rank

  int lane_stages(int lane) const { return static_cast<int>(rank_of[lane].size()); }
  // Parameters held by `rank`, in units of one pipeline stage's parameters
  // (the model divided by spec.stages): 1 for 1F1B, 2 for DualPipe.
  double parameter_copies(int rank) const;
};

// A violated constraint: which spec field and why.
struct SpecProblem {
  std::string field;  // "stages", "microbatches", "chunks" or "layers"
  std::string message;
};

std::optional<SpecProblem> check_spec(const ScheduleSpec& spec);
// Interleaved 1F1B's micro-batch group (interleaved_group) against Megatron-Core's rules.
std::optional<SpecProblem> check_interleaved_group(const ScheduleSpec& spec);

// Throws std::invalid_argument with the SpecProblem's message if the spec is invalid.
Schedule make_schedule(const ScheduleSpec& spec);

// Names as used in scenario files and on the command line.
const std::vector<std::string>& schedule_kind_names();
ScheduleKind schedule_kind_from_name(const std::string& name);  // throws std::invalid_argument
std::string schedule_kind_name(ScheduleKind kind);
std::string schedule_kind_description(ScheduleKind kind);
int ranks_for(const ScheduleSpec& spec);

// Per-kind generators (one file each).
Schedule make_gpipe(const ScheduleSpec& spec);
Schedule make_1f1b(const ScheduleSpec& spec);
Schedule make_interleaved_1f1b(const ScheduleSpec& spec);
Schedule make_zb1p(const ScheduleSpec& spec);
Schedule make_zbh2(const ScheduleSpec& spec);
Schedule make_dualpipe(const ScheduleSpec& spec);
Schedule make_dualpipev(const ScheduleSpec& spec);

// Placement helper: one lane, stage s on rank s, model part s.
Schedule linear_schedule(const ScheduleSpec& spec);

}  // namespace v3sim::models
