#include "report/chakra/comm_groups.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace v3sim::report {

const char* group_role_name(GroupRole role) {
  constexpr std::array<const char*, kGroupRoles> names{"tp", "ep", "dp", "dp_experts", "mirror"};
  return names[static_cast<std::size_t>(role)];
}

int NpuGrid::group_size(GroupRole role) const {
  switch (role) {
    case GroupRole::kTensor: return tp;
    case GroupRole::kExpert: return ep;
    case GroupRole::kData: return replicas;
    case GroupRole::kExpertData: return per_stage() / ep;
    case GroupRole::kMirror: return 2;
  }
  return 1;
}

std::string CommGroups::json() const {
  std::string out = "{\n";
  for (std::size_t g = 0; g < members.size(); ++g)
    out += fmt::format("  \"{}\": [{}]{}\n", g + 1, fmt::join(members[g], ", "), g + 1 < members.size() ? "," : "");
  return out + "}\n";
}

CommGroups comm_groups(const NpuGrid& grid, const std::vector<bool>& mirrored) {
  const int per = grid.per_stage();
  if (grid.ep < 1 || per % grid.ep != 0)
    throw std::invalid_argument(fmt::format("ep {} does not divide the {} NPUs of a stage", grid.ep, per));
  for (int s = 0; s < grid.stages; ++s)
    if (mirrored.at(static_cast<std::size_t>(s)) &&
        (grid.stages - 1 - s == s || !mirrored.at(static_cast<std::size_t>(grid.stages - 1 - s))))
      throw std::invalid_argument(fmt::format("stage {} sums gradients with no mirrored stage", s));
  CommGroups g;
  g.of.assign(static_cast<std::size_t>(grid.npus()), {});
  auto add = [&](GroupRole role, std::vector<int> npus) {
    if (npus.size() < 2) return;
    g.members.push_back(std::move(npus));
    for (int n : g.members.back()) g.of[static_cast<std::size_t>(n)][static_cast<std::size_t>(role)] = static_cast<int>(g.members.size());
  };
  // Positions within a stage: (replica x cp + context rank) x tp + tensor rank.
  for (int s = 0; s < grid.stages; ++s) {
    std::vector<int> npus;
    for (int first = 0; first < per; first += grid.tp) {
      npus.clear();
      for (int t = 0; t < grid.tp; ++t) npus.push_back(grid.npu(s, first + t));
      add(GroupRole::kTensor, npus);
    }
    for (int first = 0; first < per; first += grid.ep) {
      npus.clear();
      for (int i = 0; i < grid.ep; ++i) npus.push_back(grid.npu(s, first + i));
      add(GroupRole::kExpert, npus);
    }
    for (int inner = 0; inner < grid.cp * grid.tp; ++inner) {
      npus.clear();
      for (int r = 0; r < grid.replicas; ++r) npus.push_back(grid.npu(s, r * grid.cp * grid.tp + inner));
      add(GroupRole::kData, npus);
    }
    for (int i = 0; i < grid.ep; ++i) {
      npus.clear();
      for (int first = 0; first < per; first += grid.ep) npus.push_back(grid.npu(s, first + i));
      add(GroupRole::kExpertData, npus);
    }
  }
  for (int s = 0; s < grid.stages; ++s)
    if (mirrored[static_cast<std::size_t>(s)] && s < grid.stages - 1 - s)
      for (int p = 0; p < per; ++p) add(GroupRole::kMirror, {grid.npu(s, p), grid.npu(grid.stages - 1 - s, p)});
  return g;
}

}  // namespace v3sim::report
