#pragma once
// One pool's units over time (docs/fleet.md): each serving, starting (asked
// for, not serving yet), draining (finishing its work, taking none) or
// released (its nodes lent elsewhere). The ledger integrates the nodes held
// (not released), the units serving and the nodes released over time.
#include <vector>

namespace v3sim::models {

enum class UnitState { kServing, kStarting, kDraining, kReleased };

class PoolLedger {
 public:
  PoolLedger(int units, int nodes_per_unit, double start_s);

  UnitState state(int u) const { return state_[static_cast<std::size_t>(u)]; }
  // Accounts up to `now_s`, then moves unit `u` to `s`.
  void set(int u, UnitState s, double now_s);
  void account(double now_s);

  int units() const { return static_cast<int>(state_.size()); }
  int count(UnitState s) const { return count_[static_cast<std::size_t>(s)]; }
  int held_nodes() const { return (units() - count(UnitState::kReleased)) * nodes_per_unit_; }
  int nodes_per_unit() const { return nodes_per_unit_; }

  double node_s() const { return node_s_; }                  // held
  double serving_unit_s() const { return serving_unit_s_; }
  double released_node_s() const { return released_node_s_; }

 private:
  std::vector<UnitState> state_;
  int count_[4] = {0, 0, 0, 0};
  int nodes_per_unit_;
  double last_s_;
  double node_s_ = 0, serving_unit_s_ = 0, released_node_s_ = 0;
};

}  // namespace v3sim::models
