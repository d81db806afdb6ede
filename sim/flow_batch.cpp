#include "sim/flow_batch.hpp"

#include <cmath>
#include <stdexcept>


namespace v3sim::sim {

FlowBatch::LinkId FlowBatch::add_link(double bytes_per_s, Time latency) {
  if (!(bytes_per_s > 0)) throw std::invalid_argument("link bandwidth must be > 0");
  capacity_.push_back(bytes_per_s * 1e-9);
  latency_.push_back(latency);
  return solver_.add_link(capacity_.back());
}

std::uint32_t FlowBatch::add_flow(std::span<const LinkId> links) {
  Time latency = 0;
  path_begin_.push_back(static_cast<std::uint32_t>(path_links_.size()));
  for (LinkId l : links) {
    if (l >= capacity_.size()) throw std::out_of_range("FlowBatch::add_flow: unknown link");
    path_links_.push_back(l);
    latency += latency_[l];
  }
  path_end_.push_back(static_cast<std::uint32_t>(path_links_.size()));
  path_latency_.push_back(latency);
  return static_cast<std::uint32_t>(path_begin_.size() - 1);
}

FlowBatch::Result FlowBatch::run(std::span<const double> bytes) {
  const std::size_t n = flows();
  if (bytes.size() != n) throw std::invalid_argument("FlowBatch::run: one byte count per flow expected");
  Result r;
  r.end.assign(n, 0);
  MaxMinSolver& solver = solver_;
  solver.reset_flows();
  std::vector<Draining>& state = draining_;
  if (!drains_.empty()) drains_ = DrainQueue(n);  // a run that threw left entries behind
  DrainQueue& drains = drains_;
  drains.reserve_key(static_cast<std::uint32_t>(n));
  for (std::uint32_t f = 0; f < n; ++f) {
    if (bytes[f] <= 0 || path_begin_[f] == path_end_[f]) {
      r.end[f] = path_latency_[f];
      ++r.events;
      continue;
    }
    const MaxMinSolver::FlowId id =
        solver.add_flow(std::span<const LinkId>(path_links_).subspan(path_begin_[f], path_end_[f] - path_begin_[f]));
    if (id >= state.size()) state.resize(id + 1);
    state[id] = Draining{bytes[f], 0, 0, f};
  }
  std::uint64_t next_seq = 0;
  Time now = 0;
  for (;;) {
    if (solver.dirty())
      for (MaxMinSolver::FlowId id : solver.solve()) {
        Draining& s = state[id];
        if (s.rate > 0 && solver.rate(id) == s.rate) continue;
        s.remaining = std::max(0.0, s.remaining - s.rate * static_cast<double>(now - s.since));
        s.since = now;
        s.rate = solver.rate(id);
        if (s.rate > 0)
          drains.set(id, later(now, checked_time(std::ceil(s.remaining / s.rate))), next_seq++);
        else
          drains.erase(id);
      }
    if (drains.empty()) break;
    now = drains.next_time();
    while (!drains.empty() && drains.next_time() == now) {
      const std::uint32_t id = drains.next_flow();
      drains.pop();
      solver.remove_flow(id);
      const std::uint32_t f = state[id].flow;
      r.end[f] = later(now, path_latency_[f]);
      r.events += 2;
    }
  }
  for (Time e : r.end) r.makespan = std::max(r.makespan, e);
  return r;
}

}  // namespace v3sim::sim
