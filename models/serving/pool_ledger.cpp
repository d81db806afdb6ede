#include "models/serving/pool_ledger.hpp"

namespace v3sim::models {

PoolLedger::PoolLedger(int units, int nodes_per_unit, double start_s)
    : state_(static_cast<std::size_t>(units), UnitState::kServing), nodes_per_unit_(nodes_per_unit), last_s_(start_s) {
  count_[static_cast<std::size_t>(UnitState::kServing)] = units;
}

void PoolLedger::account(double now_s) {
  if (now_s <= last_s_) return;
  const double dt = now_s - last_s_;
  node_s_ += held_nodes() * dt;
  serving_unit_s_ += count(UnitState::kServing) * dt;
  released_node_s_ += count(UnitState::kReleased) * nodes_per_unit_ * dt;
  last_s_ = now_s;
}

void PoolLedger::set(int u, UnitState s, double now_s) {
  account(now_s);
  UnitState& x = state_[static_cast<std::size_t>(u)];
  --count_[static_cast<std::size_t>(x)];
  ++count_[static_cast<std::size_t>(s)];
  x = s;
}

}  // namespace v3sim::models
