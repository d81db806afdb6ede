#include "models/training/expert_groups.hpp"

#include <stdexcept>

namespace v3sim::models {

ExpertGroups expert_groups(int pp, int tp, int dp, int ep) {
  if (pp < 1 || tp < 1 || dp < 1 || ep < 1 || (tp * dp) % ep != 0)
    throw std::invalid_argument("expert_groups: ep must divide tp x dp");
  ExpertGroups g;
  const int per_stage = tp * dp, groups = per_stage / ep;
  for (int s = 0; s < pp; ++s) {
    for (int k = 0; k < groups; ++k) {
      std::vector<int> members;
      for (int i = 0; i < ep; ++i) members.push_back(expert_member(s, tp, dp, ep, k, i));
      g.expert_parallel.push_back(members);
    }
    for (int i = 0; i < ep; ++i) {
      std::vector<int> holders;
      for (int k = 0; k < groups; ++k) holders.push_back(expert_member(s, tp, dp, ep, k, i));
      g.expert_data_parallel.push_back(holders);
    }
  }
  return g;
}

}  // namespace v3sim::models
