#pragma once
// A task DAG bound to resources: the engine's input. Built by higher layers
// (the pipeline executor, later the cluster model); knows nothing about what
// the tasks compute.
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace v3sim::sim {

using TaskId = std::uint32_t;
using ResourceId = std::uint32_t;

// How a resource picks the next task to start.
enum class ResourceOrder {
  kProgram,  // in the order tasks were added, like a CUDA stream
  kReady,    // in the order tasks became ready (ties: earlier event first)
};

struct Resource {
  std::string name;
  ResourceOrder order;
  int capacity;  // units held at once (tasks, or SMs of an SM pool); 0 means unbounded
};

using LinkId = std::uint32_t;

// A network link: flows crossing it share its bandwidth max-min fairly.
struct Link {
  std::string name;
  double bandwidth;  // bytes per second
  Time latency;      // added once per flow crossing it
};

// A transfer whose duration the network decides: its bytes drain at the
// max-min fair rate of its path (capped by rate_cap), then it ends one path
// latency later.
using PathId = std::uint32_t;

// A path is stored once and shared by every flow on it (an all-to-all
// repeats the same paths for every layer and micro-batch).
struct Flow {
  double bytes;
  PathId path;
  double rate_cap;  // bytes per second; infinity for none
};

inline constexpr std::uint32_t kNoFlow = ~std::uint32_t{0};
inline constexpr std::uint32_t kNoTask = ~std::uint32_t{0};

// Two resources that contend for the GPU beneath them: while any task of
// `beside` runs, the fixed-duration tasks of `slowed` progress at 1/factor
// of their standalone rate (kernels sharing SMs, HBM and L2). The factors of
// several busy resources multiply. A task alone runs at its own duration.
struct Slowdown {
  ResourceId slowed;
  ResourceId beside;
  double factor;
};

// An exchange: the flows between the members of a group of kernels (an
// all-to-all), described once as a template and instantiated per call. A flow
// of an instance starts when the launch tasks of both its ends have finished,
// and each member's done task waits for every flow touching that member. The
// flows are not tasks: the engine creates each when it starts and forgets it
// when it has drained, so only the flows in flight are held.
struct ExchangeFlow {
  std::uint32_t from, to;  // member indices
  double bytes;
  PathId path;
};
struct ExchangeTemplate {
  std::uint32_t members = 0;
  std::vector<ExchangeFlow> flows;
  std::vector<std::vector<std::uint32_t>> touching;  // per member: flow indices with it at an end, in order
  std::vector<std::uint32_t> ends;                    // per member: flow ends there (a flow to itself counts twice)
};
struct Exchange {
  std::uint32_t templ;
  std::size_t begin;  // into exchange_launch() and exchange_done(): one task per member
};

struct Task {
  ResourceId resource;
  Time duration;                 // fixed-duration tasks
  std::uint32_t flow = kNoFlow;  // flow tasks: index into flows()
  int units = 1;                 // of the resource's capacity it holds while running
  TaskId until = kNoTask;        // span tasks: they end when this task ends
  Time release = 0;              // the task starts no earlier than this
};

struct Edge {
  TaskId from;
  TaskId to;
  Time delay;  // the successor may start no earlier than from's end + delay
};

class TaskGraph {
 public:
  ResourceId add_resource(std::string name, ResourceOrder order, int capacity);
  // `units`: how much of the resource's capacity the task holds while it
  // runs (1 for a stream; its SMs for a kernel on an SM pool).
  TaskId add_task(ResourceId resource, Time duration, int units = 1);
  void add_edge(TaskId from, TaskId to, Time delay = 0);
  // A task that holds `resource` from the end of `from` until the end of
  // `until` (a kernel's occupancy of the GPU while other tasks, such as its
  // flows, stand for its work). `until` must come after `from`.
  TaskId add_span(ResourceId resource, TaskId from, TaskId until);
  void add_slowdown(ResourceId slowed, ResourceId beside, double factor);
  // The task may start no earlier than `at` (what a chain of tasks that
  // nothing else waits for would hold it back by, without the chain).
  void set_release(TaskId t, Time at);
  const std::vector<Slowdown>& slowdowns() const { return slowdowns_; }

  LinkId add_link(std::string name, double bytes_per_second, Time latency);
  TaskId add_flow(ResourceId resource, double bytes, const std::vector<LinkId>& path,
                  double rate_cap = std::numeric_limits<double>::infinity());
  PathId add_path(const std::vector<LinkId>& links);
  TaskId add_flow_on(ResourceId resource, double bytes, PathId path,
                     double rate_cap = std::numeric_limits<double>::infinity());
  std::uint32_t add_exchange_template(std::uint32_t members, std::vector<ExchangeFlow> flows);
  void add_exchange(std::uint32_t templ, const std::vector<TaskId>& launch, const std::vector<TaskId>& done);
  const std::vector<ExchangeTemplate>& exchange_templates() const { return templates_; }
  const std::vector<Exchange>& exchanges() const { return exchanges_; }
  const std::vector<TaskId>& exchange_launch() const { return exchange_launch_; }
  const std::vector<TaskId>& exchange_done() const { return exchange_done_; }
  std::size_t exchange_flow_count() const { return exchange_flow_count_; }
  std::span<const LinkId> path(PathId p) const {
    return {path_links_.data() + path_begin_[p], path_begin_[p + 1] - path_begin_[p]};
  }
  const std::vector<Link>& links() const { return links_; }
  const std::vector<Flow>& flows() const { return flows_; }

  // Names tasks in diagnostics (deadlock reports); defaults to "task N".
  void set_describer(std::function<std::string(TaskId)> describe) { describe_ = std::move(describe); }
  std::string describe(TaskId t) const;

  const std::vector<Task>& tasks() const { return tasks_; }
  const std::vector<Resource>& resources() const { return resources_; }
  const std::vector<Edge>& edges() const { return edges_; }
  // Tasks of a resource in the order they were added.
  const std::vector<TaskId>& resource_tasks(ResourceId r) const { return resource_tasks_[r]; }

 private:
  std::vector<Task> tasks_;
  std::vector<Resource> resources_;
  std::vector<std::vector<TaskId>> resource_tasks_;
  std::vector<Edge> edges_;
  std::vector<Slowdown> slowdowns_;
  std::vector<Link> links_;
  std::vector<Flow> flows_;
  std::vector<ExchangeTemplate> templates_;
  std::vector<Exchange> exchanges_;
  std::vector<TaskId> exchange_launch_, exchange_done_;
  std::size_t exchange_flow_count_ = 0;
  std::vector<LinkId> path_links_;
  std::vector<std::size_t> path_begin_{0};  // path p: path_links_[path_begin_[p], path_begin_[p + 1])
  std::function<std::string(TaskId)> describe_;
};

}  // namespace v3sim::sim
