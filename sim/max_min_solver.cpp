#include "sim/max_min_solver.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace v3sim::sim {
namespace {

// Shares within this relative distance of the bottleneck share freeze
// together, so that equal flows get bit-identical rates.
constexpr double kTie = 1e-12;

}  // namespace

MaxMinSolver::LinkId MaxMinSolver::add_link(double capacity) {
  if (!(capacity > 0)) throw std::invalid_argument("link capacity must be > 0");
  links_.push_back(Link{capacity, {}});
  return static_cast<LinkId>(links_.size() - 1);
}

MaxMinSolver::FlowId MaxMinSolver::add_flow(std::span<const LinkId> links, double cap) {
  if (!(cap > 0)) throw std::invalid_argument("flow rate cap must be > 0");
  for (LinkId l : links)
    if (l >= links_.size()) throw std::out_of_range("add_flow: unknown link");
  // Ids of removed flows are reused (last removed first), so the solver holds
  // the flows in flight, not every flow ever added. Ids carry no order: rates
  // depend only on the links' flow lists.
  FlowId id;
  if (free_ids_.empty()) {
    id = static_cast<FlowId>(flows_.size());
    flows_.push_back(Flow{{links.begin(), links.end()}, cap});
  } else {
    // The slot keeps its path's storage and its `seen` epoch.
    id = free_ids_.back();
    free_ids_.pop_back();
    Flow& f = flows_[id];
    f.links.assign(links.begin(), links.end());
    f.cap = cap;
    f.rate = 0;
    f.active = true;
    f.frozen = false;
  }
  for (LinkId l : links) links_[l].flows.push_back(id);
  dirty_flows_.push_back(id);
  return id;
}

void MaxMinSolver::remove_flow(FlowId flow) {
  Flow& f = flows_.at(flow);
  if (!f.active) return;
  f.active = false;
  f.rate = 0;
  for (LinkId l : f.links) {
    auto& list = links_[l].flows;
    auto it = std::find(list.begin(), list.end(), flow);
    *it = list.back();
    list.pop_back();
    dirty_links_.push_back(l);  // its other flows may now go faster
  }
  f.links.clear();  // its storage serves the next flow to take this id
  free_ids_.push_back(flow);
}

void MaxMinSolver::reset_flows() {
  for (FlowId f = 0; f < flows_.size(); ++f) remove_flow(f);
  free_ids_.clear();
  for (FlowId f = static_cast<FlowId>(flows_.size()); f > 0; --f) free_ids_.push_back(f - 1);
  dirty_flows_.clear();
  dirty_links_.clear();
}

double MaxMinSolver::load(LinkId link) const {
  double sum = 0;
  for (FlowId f : links_[link].flows) sum += flows_[f].rate;
  return sum;
}

// Breadth-first over flows and links, from one flow or one link.
void MaxMinSolver::collect_component(FlowId start_flow, LinkId start_link, bool from_link) {
  component_flows_.clear();
  component_links_.clear();
  std::size_t fi = 0, li = 0;
  auto visit_link = [&](LinkId l) {
    if (links_[l].seen == epoch_) return;
    links_[l].seen = epoch_;
    component_links_.push_back(l);
  };
  auto visit_flow = [&](FlowId f) {
    if (flows_[f].seen == epoch_ || !flows_[f].active) return;
    flows_[f].seen = epoch_;
    component_flows_.push_back(f);
  };
  if (from_link)
    visit_link(start_link);
  else
    visit_flow(start_flow);
  while (fi < component_flows_.size() || li < component_links_.size()) {
    while (fi < component_flows_.size())
      for (LinkId l : flows_[component_flows_[fi++]].links) visit_link(l);
    while (li < component_links_.size())
      for (FlowId f : links_[component_links_[li++]].flows) visit_flow(f);
  }
}

void MaxMinSolver::fill_component() {
  for (LinkId l : component_links_) {
    links_[l].remaining = links_[l].capacity;
    links_[l].unfrozen = static_cast<int>(links_[l].flows.size());
  }
  std::vector<FlowId>& unfrozen = unfrozen_;
  unfrozen.assign(component_flows_.begin(), component_flows_.end());
  for (FlowId f : unfrozen) flows_[f].frozen = false;
  while (!unfrozen.empty()) {
    double share = MaxMinSolver::kUnlimited;
    for (LinkId l : component_links_)
      if (links_[l].unfrozen > 0) share = std::min(share, links_[l].remaining / links_[l].unfrozen);
    for (FlowId f : unfrozen) share = std::min(share, flows_[f].cap);
    const double limit = share * (1 + kTie);
    std::vector<FlowId>& still = still_;
    still.clear();
    for (FlowId f : unfrozen) {
      Flow& flow = flows_[f];
      bool stop = flow.cap <= limit;
      for (LinkId l : flow.links)
        stop = stop || links_[l].remaining / links_[l].unfrozen <= limit;
      if (stop) {
        flow.rate = share;
        flow.frozen = true;
      } else {
        still.push_back(f);
      }
    }
    // Charge the frozen flows to their links after deciding, so that every
    // flow of this round saw the same link state.
    for (FlowId f : unfrozen)
      if (flows_[f].frozen)
        for (LinkId l : flows_[f].links) {
          links_[l].remaining = std::max(0.0, links_[l].remaining - share);
          --links_[l].unfrozen;
        }
    unfrozen.swap(still);
  }
}

const std::vector<MaxMinSolver::FlowId>& MaxMinSolver::solve() {
  solved_.clear();
  ++epoch_;
  auto run = [&](FlowId f, LinkId l, bool from_link) {
    if (from_link ? links_[l].seen == epoch_ : (flows_[f].seen == epoch_ || !flows_[f].active)) return;
    collect_component(f, l, from_link);
    fill_component();
    solved_.insert(solved_.end(), component_flows_.begin(), component_flows_.end());
  };
  for (FlowId f : dirty_flows_) run(f, 0, false);
  for (LinkId l : dirty_links_) run(0, l, true);
  dirty_flows_.clear();
  dirty_links_.clear();
  return solved_;
}

}  // namespace v3sim::sim
