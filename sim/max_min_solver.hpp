#pragma once
// Max-min fair bandwidth sharing by progressive filling (Bertsekas and
// Gallager, "Data Networks", 2nd ed., section 6.5.2): every flow's rate
// rises at the same pace until a link it crosses is full or it reaches its
// own cap; flows so stopped keep their rate and the rest go on.
//
// The solver is incremental: adding or removing a flow marks its connected
// component (flows linked through shared links) dirty, and solve() refills
// only the dirty components.
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <span>
#include <vector>

namespace v3sim::sim {

class MaxMinSolver {
 public:
  using LinkId = std::uint32_t;
  using FlowId = std::uint32_t;
  static constexpr double kUnlimited = std::numeric_limits<double>::infinity();

  LinkId add_link(double capacity);
  // A flow across `links` (a link may appear once), at most `cap` fast.
  FlowId add_flow(std::span<const LinkId> links, double cap = kUnlimited);
  FlowId add_flow(std::initializer_list<LinkId> links, double cap = kUnlimited) {
    return add_flow(std::span<const LinkId>(links.begin(), links.size()), cap);
  }
  void remove_flow(FlowId flow);
  // Removes every flow and hands ids out from 0 again, as a fresh solver
  // would (so that rates come out bit for bit the same), keeping the links
  // and the storage.
  void reset_flows();

  // Recomputes the rates of every flow in a dirty component; returns those
  // flows (their rates may or may not have changed).
  const std::vector<FlowId>& solve();
  bool dirty() const { return !dirty_flows_.empty() || !dirty_links_.empty(); }

  double rate(FlowId flow) const { return flows_[flow].rate; }
  bool active(FlowId flow) const { return flows_[flow].active; }
  double capacity(LinkId link) const { return links_[link].capacity; }
  // Sum of the rates of the active flows crossing `link`.
  double load(LinkId link) const;
  std::size_t link_count() const { return links_.size(); }

 private:
  struct Link {
    double capacity;
    std::vector<FlowId> flows;  // active flows crossing it
    std::uint64_t seen = 0;
    double remaining = 0;
    int unfrozen = 0;
  };
  struct Flow {
    std::vector<LinkId> links;
    double cap;
    double rate = 0;
    bool active = true;
    bool frozen = false;
    std::uint64_t seen = 0;
  };

  void collect_component(FlowId start_flow, LinkId start_link, bool from_link);
  void fill_component();

  std::vector<Link> links_;
  std::vector<Flow> flows_;
  std::vector<FlowId> free_ids_;  // removed flows, reused by add_flow
  std::vector<FlowId> dirty_flows_;
  std::vector<LinkId> dirty_links_;
  std::uint64_t epoch_ = 0;
  std::vector<FlowId> component_flows_;
  std::vector<LinkId> component_links_;
  std::vector<FlowId> solved_;
  std::vector<FlowId> unfrozen_, still_;  // fill_component's rounds (kept to spare allocations)
};

}  // namespace v3sim::sim
