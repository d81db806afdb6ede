#include "sim/task_graph.hpp"

#include <stdexcept>

namespace v3sim::sim {

ResourceId TaskGraph::add_resource(std::string name, ResourceOrder order, int capacity) {
  if (capacity < 0) throw std::invalid_argument("resource capacity must be >= 0");
  resources_.push_back(Resource{std::move(name), order, capacity});
  resource_tasks_.emplace_back();
  return static_cast<ResourceId>(resources_.size() - 1);
}

TaskId TaskGraph::add_task(ResourceId resource, Time duration) {
  if (resource >= resources_.size()) throw std::out_of_range("add_task: unknown resource");
  if (duration < 0) throw std::invalid_argument("add_task: negative duration");
  const auto id = static_cast<TaskId>(tasks_.size());
  tasks_.push_back(Task{resource, duration});
  resource_tasks_[resource].push_back(id);
  return id;
}

void TaskGraph::add_edge(TaskId from, TaskId to, Time delay) {
  if (from >= tasks_.size() || to >= tasks_.size()) throw std::out_of_range("add_edge: unknown task");
  if (delay < 0) throw std::invalid_argument("add_edge: negative delay");
  edges_.push_back(Edge{from, to, delay});
}

std::string TaskGraph::describe(TaskId t) const {
  return describe_ ? describe_(t) : "task " + std::to_string(t);
}

}  // namespace v3sim::sim
