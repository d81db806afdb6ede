#pragma once
// Which resources slow which (TaskGraph::add_slowdown) and by how much now.
// The engine tells it when tasks start and end; it answers the factor a
// slowed resource's tasks progress under and which factors just changed.
#include <utility>
#include <vector>

#include "sim/task_graph.hpp"

namespace v3sim::sim {

class Contention {
 public:
  explicit Contention(const TaskGraph& g);

  bool any() const { return any_; }
  bool slowed(ResourceId r) const { return !rules_[r].empty(); }
  // What a task of `r` progresses under now: 1 alone, the product of the
  // factors of its busy `beside` resources otherwise.
  double factor(ResourceId r) const { return factor_[r]; }
  // A task of `r` started (+1) or ended (-1). Appends the slowed resources
  // whose factor changed, in rule order.
  void busy(ResourceId r, int delta, std::vector<ResourceId>& changed);

 private:
  bool any_ = false;
  std::vector<std::vector<std::pair<ResourceId, double>>> rules_;    // per slowed: (beside, factor)
  std::vector<std::vector<ResourceId>> affects_;                     // per beside: slowed resources
  std::vector<int> busy_;                                            // running tasks per resource
  std::vector<double> factor_;
};

}  // namespace v3sim::sim
