// Reading a Kineto Chrome trace (its text from trace_text): its GPU kernels,
// their launches and enclosing annotations, the stream roles, and the summary.
#include "calibration/profiler_trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <queue>
#include <regex>
#include <set>
#include <tuple>
#include <unordered_map>

#include "calibration/trace_text.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::calibration {
namespace {

using nlohmann::json;

json parse_json(const std::string& text, const std::string& path) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    // nlohmann's message without its "[json.exception.parse_error.N] " prefix.
    std::string detail = e.what();
    if (const auto p = detail.find("] "); p != std::string::npos) detail = detail.substr(p + 2);
    throw sim::InputError(
        "", path + ": invalid JSON at byte " + std::to_string(e.byte) + " (expected a Kineto Chrome trace): " + detail);
  }
}

// Field access on one event, with errors naming the event's pointer.
struct EventReader {
  const json& e;
  std::string pointer;
  const std::string& path;

  const json* find(const char* key) const {
    auto it = e.find(key);
    return it == e.end() ? nullptr : &*it;
  }
  const json* args(const char* key) const {
    const json* a = find("args");
    if (!a || !a->is_object()) return nullptr;
    auto it = a->find(key);
    return it == a->end() ? nullptr : &*it;
  }
  [[noreturn]] void fail(const std::string& at, const std::string& expected) const {
    const json* n = find("name");
    const std::string name = n && n->is_string() ? " '" + n->get<std::string>().substr(0, 80) + "'" : "";
    throw sim::InputError(pointer + at, path + ": event" + name + ": expected " + expected);
  }
  double number(const char* key, const char* expected) const {
    const json* v = find(key);
    if (!v || !v->is_number()) fail("/" + std::string(key), expected);
    return v->get<double>();
  }
  // A time in microseconds within 10^17 of 0 (Kineto writes epoch time, about
  // 1.7 x 10^15 today; other writers start near 0), and a duration from 0 to a day.
  double time_us(const char* key, const char* expected) const {
    const double v = number(key, expected);
    if (!(std::abs(v) <= 1e17)) fail("/" + std::string(key), std::string(expected) + " within 1e17 of 0, got " + fmt::format("{}", v));
    return v;
  }
  double duration_us(const char* key, const char* expected) const {
    const double v = number(key, expected);
    if (!(v >= 0 && v <= 86400e6)) fail("/" + std::string(key), std::string(expected) + " from 0 to a day (8.64e10), got " + fmt::format("{}", v));
    return v;
  }
  std::int64_t correlation() const {
    const json* v = args("correlation");
    if (!v || !v->is_number_integer())
      fail("/args/correlation", "args.correlation, the integer id linking it to its launch");
    return v->get<std::int64_t>();
  }
  std::string name() const {
    const json* v = find("name");
    if (!v || !v->is_string()) fail("/name", "a \"name\" string");
    return v->get<std::string>();
  }
  std::int64_t integer_or(const json* v, std::int64_t fallback) const {
    return v && v->is_number_integer() ? v->get<std::int64_t>() : fallback;
  }
  // A CPU thread as "pid/tid"; Kineto writes either as a number or a string.
  std::string thread() const {
    const json* p = find("pid");
    const json* t = find("tid");
    return (p ? p->dump() : "") + "/" + (t ? t->dump() : "");
  }
};

struct RawKernel {
  TraceKernel k;
  int device = 0;
  std::int64_t correlation = 0;
};
struct Launch {
  std::string thread;
  double ts = 0;
};

struct Events {
  std::vector<RawKernel> kernels;
  std::unordered_map<std::int64_t, Launch> launches;
  std::vector<TraceAnnotation> annotations;
  std::vector<std::string> annotation_threads;
  std::map<std::string, std::vector<std::pair<double, double>>> cpu_ops;  // by thread: [start, end] in us
};

double union_us(std::vector<std::pair<double, double>> iv) {
  std::sort(iv.begin(), iv.end());
  double total = 0, start = 0, end = 0;
  bool open = false;
  for (const auto& [s, e] : iv) {
    if (open && s <= end) {
      end = std::max(end, e);
      continue;
    }
    if (open) total += end - start;
    start = s, end = e, open = true;
  }
  return open ? total + end - start : total;
}


Events read_events(const json& doc, const std::string& path) {
  auto it = doc.is_object() ? doc.find("traceEvents") : doc.end();
  if (!doc.is_object() || it == doc.end() || !it->is_array())
    throw sim::InputError(doc.is_object() && it != doc.end() ? "/traceEvents" : "",
                          path + ": expected a Kineto Chrome trace, an object with a \"traceEvents\" array");
  Events ev;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& e = (*it)[i];
    const EventReader r{e, "/traceEvents/" + std::to_string(i), path};
    if (!e.is_object()) r.fail("", "an object, got " + sim::json_type_name(e));
    const json* ph = r.find("ph");
    const json* cat = r.find("cat");
    if (!ph || *ph != "X" || !cat || !cat->is_string()) continue;
    const std::string& c = cat->get_ref<const std::string&>();
    if (c == "kernel" || c == "gpu_memcpy" || c == "gpu_memset") {
      RawKernel k;
      k.k.name = r.name();
      k.k.start_us = r.time_us("ts", "\"ts\", the kernel's start in microseconds");
      k.k.dur_us = r.duration_us("dur", "\"dur\", the kernel's duration in microseconds");
      k.correlation = r.correlation();
      k.device = static_cast<int>(r.integer_or(r.args("device"), r.integer_or(r.find("pid"), 0)));
      k.k.stream = r.integer_or(r.args("stream"), r.integer_or(r.find("tid"), 0));
      if (const json* g = r.args("grid"); g && g->is_array() && g->size() == 3)
        for (int d = 0; d < 3; ++d) k.k.grid[d] = static_cast<int>(r.integer_or(&(*g)[d], 1));
      ev.kernels.push_back(std::move(k));
    } else if ((c == "cuda_runtime" || c == "cuda_driver") && r.args("correlation")) {
      ev.launches.try_emplace(r.correlation(),
                              Launch{r.thread(), r.time_us("ts", "\"ts\", the launch time in microseconds")});
    } else if (c == "cpu_op") {
      const double ts = r.time_us("ts", "\"ts\", the op's start in microseconds");
      ev.cpu_ops[r.thread()].emplace_back(ts, ts + r.duration_us("dur", "\"dur\", the op's duration in microseconds"));
    } else if (c == "user_annotation") {
      ev.annotations.push_back({r.name(), "", "", r.time_us("ts", "\"ts\", the annotation's start in microseconds"),
                                r.duration_us("dur", "\"dur\", the annotation's duration in microseconds")});
      ev.annotation_threads.push_back(r.thread());
    }
  }
  return ev;
}

// "<label>(<pass>)" with a label the taxonomy maps to a component.
void name_component(TraceAnnotation& a, const KernelTaxonomy& taxonomy) {
  static const std::regex grammar(R"(([A-Za-z_]\w*)\(([FBW])\))");
  std::smatch m;
  if (!std::regex_match(a.name, m, grammar)) return;
  if (auto it = taxonomy.components.find(m[1]); it != taxonomy.components.end()) {
    a.component = it->second;
    a.pass = m[2];
  }
}

// Each distinct name is matched once; patterns are compiled once per read.
class Classifier {
 public:
  explicit Classifier(const KernelTaxonomy& t) {
    for (const KernelClassPattern& p : t.patterns) patterns_.emplace_back(p.name, std::regex(p.pattern));
  }
  const std::string& operator()(const std::string& kernel) {
    auto [it, fresh] = memo_.try_emplace(kernel, "unclassified");
    if (fresh)
      for (const auto& [name, re] : patterns_)
        if (std::regex_search(kernel, re)) {
          it->second = name;
          break;
        }
    return it->second;
  }

 private:
  std::vector<std::pair<std::string, std::regex>> patterns_;
  std::unordered_map<std::string, std::string> memo_;
};

// For each kernel launched on `thread`, the innermost (shortest) annotation of
// that thread containing the launch time: one sweep over both in time order.
void attribute_thread(ProfilerTrace& t, const std::vector<int>& anns, std::vector<std::pair<double, int>> launches) {
  std::sort(launches.begin(), launches.end());
  using Key = std::tuple<double, double, int>;  // duration, -start (inner first), index
  std::set<Key> open;
  std::priority_queue<std::pair<double, Key>, std::vector<std::pair<double, Key>>, std::greater<>> ends;
  std::size_t next = 0;
  for (const auto& [ts, kernel] : launches) {
    for (; next < anns.size() && t.annotations[anns[next]].start_us <= ts; ++next) {
      const TraceAnnotation& a = t.annotations[anns[next]];
      const Key key{a.dur_us, -a.start_us, anns[next]};
      open.insert(key);
      ends.emplace(a.start_us + a.dur_us, key);
    }
    for (; !ends.empty() && ends.top().first < ts; ends.pop()) open.erase(ends.top().second);
    if (!open.empty()) t.kernels[kernel].annotation = std::get<2>(*open.begin());
  }
}

void attribute(ProfilerTrace& t, const Events& ev, const std::vector<std::int64_t>& correlations) {
  std::unordered_map<std::string, std::vector<int>> anns;  // by thread, in start order
  for (std::size_t i = 0; i < t.annotations.size(); ++i) anns[ev.annotation_threads[i]].push_back(static_cast<int>(i));
  std::unordered_map<std::string, std::vector<std::pair<double, int>>> launches;
  double lost_ms = 0;
  for (std::size_t i = 0; i < t.kernels.size(); ++i) {
    auto it = ev.launches.find(correlations[i]);
    if (it == ev.launches.end()) {
      ++t.kernels_without_launch;
      lost_ms += t.kernels[i].dur_us / 1e3;
    } else {
      launches[it->second.thread].emplace_back(it->second.ts, static_cast<int>(i));
    }
  }
  std::set<std::string> bare_threads;
  double bare_ms = 0;
  for (auto& [thread, list] : launches) attribute_thread(t, anns[thread], list);
  // Autograd launches the backward's kernels from its own thread while the
  // annotations stay on the thread that called backward: a kernel with no
  // annotation on its own thread takes the innermost one of any thread of
  // its process.
  auto pid_of = [](const std::string& th) { return th.substr(0, th.find('/')); };
  std::unordered_map<std::string, std::vector<int>> process_anns;
  for (std::size_t i = 0; i < t.annotations.size(); ++i)
    process_anns[pid_of(ev.annotation_threads[i])].push_back(static_cast<int>(i));
  std::unordered_map<std::string, std::vector<std::pair<double, int>>> orphans;
  for (auto& [thread, list] : launches)
    for (const auto& [ts, k] : list)
      if (t.kernels[k].annotation < 0) orphans[pid_of(thread)].emplace_back(ts, k);
  for (auto& [pid, list] : orphans) attribute_thread(t, process_anns[pid], list);
  for (auto& [thread, list] : launches) {
    HostThread h{thread, static_cast<int>(list.size()), 0, 0};
    if (auto ops = ev.cpu_ops.find(thread); ops != ev.cpu_ops.end()) h.busy_us = union_us(ops->second);
    for (const auto& [ts, k] : list)
      if (t.kernels[k].annotation >= 0 && t.annotations[t.kernels[k].annotation].pass == "F") ++h.forward_launches;
    t.host_threads.push_back(h);
    for (const auto& [ts, k] : list)
      if (t.kernels[k].annotation < 0) {
        ++t.kernels_without_annotation;
        bare_ms += t.kernels[k].dur_us / 1e3;
        bare_threads.insert(thread);
      }
  }
  std::sort(t.host_threads.begin(), t.host_threads.end(),
            [](const HostThread& a, const HostThread& b) { return a.thread < b.thread; });
  if (t.kernels_without_launch)
    t.warnings.push_back(
        fmt::format("{} kernels ({:.3f} ms) have no CPU launch event with their correlation id; "
                    "they are unattributed",
                    t.kernels_without_launch, lost_ms));
  if (t.kernels_without_annotation) {
    std::string threads;
    for (const std::string& th : bare_threads) threads += (threads.empty() ? "" : ", ") + th;
    t.warnings.push_back(
        fmt::format("{} kernels ({:.3f} ms) were launched outside every user annotation of their CPU "
                    "process (threads pid/tid {}); they are unattributed",
                    t.kernels_without_annotation, bare_ms, threads));
  }
}

void assign_streams(ProfilerTrace& t, const KernelTaxonomy& taxonomy) {
  auto in = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  struct Load {
    double comm = 0, other = 0;
    bool gemm = false;
  };
  std::map<std::int64_t, Load> load;
  for (const TraceKernel& k : t.kernels) {
    Load& l = load[k.stream];
    (in(taxonomy.comm_classes, k.kernel_class) ? l.comm : l.other) += k.dur_us;
    l.gemm = l.gemm || in(taxonomy.gemm_classes, k.kernel_class);
  }
  auto busiest = [&](auto time) {
    std::int64_t best = 0;
    double most = -1;
    for (const auto& [s, l] : load)
      if (!t.streams.count(s) && time(l) > most) most = time(l), best = s;
    return std::pair{best, most};
  };
  if (auto [s, comm] = busiest([](const Load& l) { return l.comm; }); comm > 0) t.streams[s] = StreamRole::kComm;
  if (auto [s, other] = busiest([](const Load& l) { return l.other; }); other >= 0) t.streams[s] = StreamRole::kCompute;
  for (const auto& [s, l] : load)
    if (!t.streams.count(s)) t.streams[s] = l.gemm ? StreamRole::kSecondCompute : StreamRole::kOther;
}

}  // namespace

ProfilerTrace read_profiler_trace(const std::string& path, const KernelTaxonomy& taxonomy) {
  Events ev = read_events(parse_json(read_trace_text(path), path), path);
  ProfilerTrace t;
  t.file = path;
  if (ev.kernels.empty())
    throw sim::InputError("", path +
                                  ": no GPU kernels (expected events of cat \"kernel\", \"gpu_memcpy\" or "
                                  "\"gpu_memset\"; was the profiler run with CUDA activities?)");
  std::set<int> devices;
  for (const RawKernel& k : ev.kernels) devices.insert(k.device);
  t.device = *devices.begin();
  if (devices.size() > 1)
    t.warnings.push_back(
        fmt::format("kernels of {} devices present; only device {} was read", devices.size(), t.device));
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < ev.kernels.size(); ++i)
    if (ev.kernels[i].device == t.device) order.push_back(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return ev.kernels[a].k.start_us < ev.kernels[b].k.start_us; });
  Classifier classify(taxonomy);
  std::vector<std::int64_t> correlations;
  for (std::size_t i : order) {
    t.kernels.push_back(std::move(ev.kernels[i].k));
    t.kernels.back().kernel_class = classify(t.kernels.back().name);
    correlations.push_back(ev.kernels[i].correlation);
  }
  // Annotations in start order, their threads kept alongside.
  std::vector<std::size_t> by_start(ev.annotations.size());
  for (std::size_t i = 0; i < by_start.size(); ++i) by_start[i] = i;
  std::stable_sort(by_start.begin(), by_start.end(), [&](std::size_t a, std::size_t b) {
    return ev.annotations[a].start_us < ev.annotations[b].start_us;
  });
  std::vector<std::string> threads;
  for (std::size_t i : by_start) {
    t.annotations.push_back(std::move(ev.annotations[i]));
    name_component(t.annotations.back(), taxonomy);
    threads.push_back(std::move(ev.annotation_threads[i]));
  }
  ev.annotation_threads = std::move(threads);
  attribute(t, ev, correlations);
  assign_streams(t, taxonomy);
  return t;
}


TraceSummary summarize(const ProfilerTrace& trace) {
  TraceSummary s;
  std::map<std::string, int> occurrences;
  for (const TraceAnnotation& a : trace.annotations)
    if (!a.component.empty()) s.layer_pairs = std::max(s.layer_pairs, ++occurrences[a.name]);
  std::vector<std::pair<double, double>> compute, comm;
  std::vector<double> tiny;
  double first = 0, last = 0;
  for (std::size_t i = 0; i < trace.kernels.size(); ++i) {
    const TraceKernel& k = trace.kernels[i];
    const double end = k.start_us + k.dur_us;
    first = i ? std::min(first, k.start_us) : k.start_us;
    last = i ? std::max(last, end) : end;
    auto role = trace.streams.find(k.stream);
    const StreamRole r = role == trace.streams.end() ? StreamRole::kOther : role->second;
    if (r == StreamRole::kCompute || r == StreamRole::kSecondCompute) compute.emplace_back(k.start_us, end);
    if (r == StreamRole::kComm) comm.emplace_back(k.start_us, end);
    const double ms = k.dur_us / 1e3;
    s.class_examples.emplace(k.kernel_class, k.name);
    if (static_cast<long long>(k.grid[0]) * k.grid[1] * k.grid[2] <= 32) tiny.push_back(k.dur_us);
    s.kernel_classes[k.kernel_class] += ms;
    ++s.class_launches[k.kernel_class];
    const TraceAnnotation* a = k.annotation >= 0 ? &trace.annotations[k.annotation] : nullptr;
    if (a && !a->component.empty()) {
      s.components[a->component + "(" + a->pass + ")"] += ms;
      if (k.kernel_class == "elementwise") ++s.elementwise_launches[a->component + "(" + a->pass + ")"];
    } else
      s.unattributed_ms += ms;
  }
  s.span_ms = (last - first) / 1e3;
  s.compute_busy_ms = union_us(std::move(compute)) / 1e3;
  s.comm_busy_ms = union_us(std::move(comm)) / 1e3;
  if (!tiny.empty()) {
    std::sort(tiny.begin(), tiny.end());
    s.tiny_kernel_us = tiny[tiny.size() / 2];
  }
  s.contention = measure_contention(trace);
  double busy[2] = {0, 0};
  int launched[2] = {0, 0};
  for (const HostThread& h : trace.host_threads) {
    const int backward = 2 * h.forward_launches > h.launches ? 0 : 1;
    busy[backward] += h.busy_us;
    launched[backward] += h.launches;
  }
  if (launched[0]) s.host_forward_us_per_launch = busy[0] / launched[0];
  if (launched[1]) s.host_backward_us_per_launch = busy[1] / launched[1];
  return s;
}

}  // namespace v3sim::calibration
