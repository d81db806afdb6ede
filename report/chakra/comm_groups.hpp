#pragma once
// The NPUs of a Chakra export and their communicator groups, as ASTRA-sim
// reads them: one trace per NPU, and a JSON file that names each group by a
// positive number and lists its NPUs (ASTRA-sim's
// --comm-group-configuration); a collective names its group by that number,
// as a string, in its `pg_name` attribute. ASTRA-sim runs a collective among
// its group's NPUs only, and every member must issue the group's collectives
// in the same order (docs/outputs.md, "Running an export in ASTRA-sim").
//
// The NPU grid is the training step's GPU numbering (models::StepLayout):
// NPU = ((stage x replicas + replica) x cp + context rank) x tp + tensor rank,
// over the data-parallel replicas exported. Expert groups follow
// models/training/expert_groups.hpp: within a stage, `ep` consecutive NPUs
// exchange tokens, and the NPUs at the same place of every expert group hold
// the same experts.
#include <array>
#include <string>
#include <vector>

namespace v3sim::report {

// The kinds of group a stage's collectives run on.
enum class GroupRole { kTensor, kExpert, kData, kExpertData, kMirror };
inline constexpr int kGroupRoles = 5;

// "tp", "ep", "dp", "dp_experts", "mirror": the `comm_group` attribute.
const char* group_role_name(GroupRole role);

struct NpuGrid {
  int stages = 1;    // pipeline ranks
  int replicas = 1;  // data-parallel replicas exported
  int cp = 1;
  int tp = 1;
  int ep = 1;

  int per_stage() const { return replicas * cp * tp; }
  int npus() const { return stages * per_stage(); }
  int npu(int stage, int position) const { return stage * per_stage() + position; }
  int stage_of(int npu) const { return npu / per_stage(); }
  int position_of(int npu) const { return npu % per_stage(); }
  // Members of each group, so that a stage's collective on a role knows
  // whether it runs at all (a group of one is left out).
  int group_size(GroupRole role) const;
};

struct CommGroups {
  std::vector<std::vector<int>> members;          // group id - 1 -> its NPUs, ascending
  std::vector<std::array<int, kGroupRoles>> of;  // per NPU, per role: its group's id, 0 for none

  int id(int npu, GroupRole role) const { return of[static_cast<std::size_t>(npu)][static_cast<std::size_t>(role)]; }
  // {"1": [0, 1, ...], "2": [...]}: ASTRA-sim's communicator-group file.
  std::string json() const;
};

// Every group of `grid` with more than one member. `mirrored[s]` says that
// stage s sums gradients with stage stages-1-s (DualPipe's mirrored ranks, or
// the first and last stage's tied embedding): a pair per position. Throws
// std::invalid_argument unless ep divides a stage's NPUs and the mirrored
// stages come in pairs.
CommGroups comm_groups(const NpuGrid& grid, const std::vector<bool>& mirrored);

}  // namespace v3sim::report
