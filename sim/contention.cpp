#include "sim/contention.hpp"

namespace v3sim::sim {

Contention::Contention(const TaskGraph& g)
    : rules_(g.resources().size()),
      affects_(g.resources().size()),
      busy_(g.resources().size(), 0),
      factor_(g.resources().size(), 1.0) {
  for (const Slowdown& s : g.slowdowns()) {
    rules_[s.slowed].push_back({s.beside, s.factor});
    affects_[s.beside].push_back(s.slowed);
    any_ = true;
  }
}

void Contention::busy(ResourceId r, int delta, std::vector<ResourceId>& changed) {
  const bool was = busy_[r] > 0;
  busy_[r] += delta;
  if (was == (busy_[r] > 0)) return;
  for (ResourceId s : affects_[r]) {
    double f = 1;
    for (const auto& [beside, factor] : rules_[s])
      if (busy_[beside] > 0) f *= factor;
    if (f != factor_[s]) {
      factor_[s] = f;
      changed.push_back(s);
    }
  }
}

}  // namespace v3sim::sim
