#include "sim/task_graph.hpp"

#include <cmath>
#include <stdexcept>

namespace v3sim::sim {

ResourceId TaskGraph::add_resource(std::string name, ResourceOrder order, int capacity) {
  if (capacity < 0) throw std::invalid_argument("resource capacity must be >= 0");
  resources_.push_back(Resource{std::move(name), order, capacity});
  resource_tasks_.emplace_back();
  return static_cast<ResourceId>(resources_.size() - 1);
}

TaskId TaskGraph::add_task(ResourceId resource, Time duration, int units) {
  if (resource >= resources_.size()) throw std::out_of_range("add_task: unknown resource");
  if (duration < 0) throw std::invalid_argument("add_task: negative duration");
  const int cap = resources_[resource].capacity;
  if (units < 1 || (cap > 0 && units > cap)) throw std::invalid_argument("add_task: units outside [1, capacity]");
  const auto id = static_cast<TaskId>(tasks_.size());
  tasks_.push_back(Task{resource, duration, kNoFlow, units, kNoTask});
  resource_tasks_[resource].push_back(id);
  return id;
}

void TaskGraph::add_edge(TaskId from, TaskId to, Time delay) {
  if (from >= tasks_.size() || to >= tasks_.size()) throw std::out_of_range("add_edge: unknown task");
  if (delay < 0) throw std::invalid_argument("add_edge: negative delay");
  edges_.push_back(Edge{from, to, delay});
}

void TaskGraph::set_release(TaskId t, Time at) {
  if (t >= tasks_.size()) throw std::out_of_range("set_release: unknown task");
  if (at < 0) throw std::invalid_argument("set_release: negative time");
  tasks_[t].release = at;
}

TaskId TaskGraph::add_span(ResourceId resource, TaskId from, TaskId until) {
  if (from >= tasks_.size() || until >= tasks_.size()) throw std::out_of_range("add_span: unknown task");
  const TaskId t = add_task(resource, 0);
  tasks_[t].until = until;
  add_edge(from, t);
  return t;
}

void TaskGraph::add_slowdown(ResourceId slowed, ResourceId beside, double factor) {
  if (slowed >= resources_.size() || beside >= resources_.size()) throw std::out_of_range("add_slowdown: unknown resource");
  if (slowed == beside) throw std::invalid_argument("add_slowdown: a resource does not slow itself");
  if (!(factor >= 1) || !std::isfinite(factor)) throw std::invalid_argument("add_slowdown: factor must be finite and >= 1");
  slowdowns_.push_back(Slowdown{slowed, beside, factor});
}

LinkId TaskGraph::add_link(std::string name, double bytes_per_second, Time latency) {
  if (!(bytes_per_second > 0)) throw std::invalid_argument("add_link: bandwidth must be > 0");
  if (latency < 0) throw std::invalid_argument("add_link: negative latency");
  links_.push_back(Link{std::move(name), bytes_per_second, latency});
  return static_cast<LinkId>(links_.size() - 1);
}

PathId TaskGraph::add_path(const std::vector<LinkId>& links) {
  for (LinkId l : links)
    if (l >= links_.size()) throw std::out_of_range("add_flow: unknown link");
  path_links_.insert(path_links_.end(), links.begin(), links.end());
  path_begin_.push_back(path_links_.size());
  return static_cast<PathId>(path_begin_.size() - 2);
}

TaskId TaskGraph::add_flow_on(ResourceId resource, double bytes, PathId path, double rate_cap) {
  if (!(bytes >= 0)) throw std::invalid_argument("add_flow: negative bytes");
  if (!(rate_cap > 0)) throw std::invalid_argument("add_flow: rate cap must be > 0");
  if (path + 1 >= path_begin_.size()) throw std::out_of_range("add_flow: unknown path");
  const TaskId t = add_task(resource, 0);
  tasks_[t].flow = static_cast<std::uint32_t>(flows_.size());
  flows_.push_back(Flow{bytes, path, rate_cap});
  return t;
}

TaskId TaskGraph::add_flow(ResourceId resource, double bytes, const std::vector<LinkId>& path, double rate_cap) {
  if (!(bytes >= 0)) throw std::invalid_argument("add_flow: negative bytes");
  if (!(rate_cap > 0)) throw std::invalid_argument("add_flow: rate cap must be > 0");
  return add_flow_on(resource, bytes, add_path(path), rate_cap);
}

std::uint32_t TaskGraph::add_exchange_template(std::uint32_t members, std::vector<ExchangeFlow> flows) {
  ExchangeTemplate t;
  t.members = members;
  t.touching.resize(members);
  t.ends.assign(members, 0);
  for (std::uint32_t i = 0; i < flows.size(); ++i) {
    const ExchangeFlow& f = flows[i];
    if (f.from >= members || f.to >= members) throw std::out_of_range("add_exchange_template: member out of range");
    if (f.path + 1 >= path_begin_.size()) throw std::out_of_range("add_exchange_template: unknown path");
    if (!(f.bytes >= 0)) throw std::invalid_argument("add_exchange_template: negative bytes");
    t.touching[f.from].push_back(i);
    if (f.to != f.from) t.touching[f.to].push_back(i);
    ++t.ends[f.from];
    ++t.ends[f.to];
  }
  t.flows = std::move(flows);
  templates_.push_back(std::move(t));
  return static_cast<std::uint32_t>(templates_.size() - 1);
}

void TaskGraph::add_exchange(std::uint32_t templ, const std::vector<TaskId>& launch, const std::vector<TaskId>& done) {
  if (templ >= templates_.size()) throw std::out_of_range("add_exchange: unknown template");
  const ExchangeTemplate& t = templates_[templ];
  if (launch.size() != t.members || done.size() != t.members)
    throw std::invalid_argument("add_exchange: one launch and one done task per member");
  for (std::size_t i = 0; i < launch.size(); ++i)
    if (launch[i] >= tasks_.size() || done[i] >= tasks_.size()) throw std::out_of_range("add_exchange: unknown task");
  exchanges_.push_back(Exchange{templ, exchange_launch_.size()});
  exchange_launch_.insert(exchange_launch_.end(), launch.begin(), launch.end());
  exchange_done_.insert(exchange_done_.end(), done.begin(), done.end());
  exchange_flow_count_ += t.flows.size();
}

std::string TaskGraph::describe(TaskId t) const {
  return describe_ ? describe_(t) : "task " + std::to_string(t);
}

}  // namespace v3sim::sim
