#pragma once
// The one Chrome-trace writer (the Trace Event Format that chrome://tracing,
// Perfetto and the PyTorch profiler use): events are formatted straight into
// the output text with fmt, never held as JSON objects, so a trace of a
// million ops costs its bytes and no more. Times are simulated nanoseconds,
// written in microseconds as the format expects.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/time.hpp"

namespace v3sim::report {

// Event arguments: a key and a value already rendered as JSON (a number, or a
// string with its quotes: use TraceWriter::quote).
using TraceArgs = std::vector<std::pair<std::string_view, std::string>>;

class TraceWriter {
 public:
  TraceWriter();

  void process_name(int pid, std::string_view name);
  void process_sort_index(int pid, int index);
  void process_labels(int pid, std::string_view labels);
  void thread_name(int pid, int tid, std::string_view name);
  void thread_sort_index(int pid, int tid, int index);
  // A complete event ("X"): an op on a thread from start for dur.
  void complete(std::string_view name, std::string_view cat, int pid, int tid, sim::Time start, sim::Time dur,
                const TraceArgs& args = {});
  // An async span ("b"/"e" with one id), for transfers that overlap on a thread.
  void async_span(std::string_view name, std::string_view cat, int pid, int tid, sim::Time start, sim::Time end,
                  const TraceArgs& args = {});
  // A counter ("C") sample: one value per series of the track.
  void counter(std::string_view name, int pid, sim::Time at, std::string_view series, double value);
  void counter(std::string_view name, int pid, sim::Time at, const TraceArgs& values);  // values rendered as JSON
  // A flow arrow ("s" then "f") from the slice enclosing `from` on (pid,
  // tid) to the slice enclosing `to` on (to_pid, to_tid).
  void flow(std::string_view name, std::string_view cat, int pid, int tid, sim::Time from, int to_pid, int to_tid,
            sim::Time to);
  // A top-level key beside traceEvents (the profiler's "distributedInfo"),
  // its value already rendered as JSON. Keys are written in call order.
  void top_level(std::string_view key, std::string json_value);

  // The trace text, closed; the writer is spent.
  std::string finish();

  static std::string quote(std::string_view s);  // a JSON string literal

 private:
  void begin_event();
  void append_args(const TraceArgs& args);

  std::string out_;
  std::string top_level_;
  bool first_ = true;
  std::uint64_t next_id_ = 0;
};

}  // namespace v3sim::report
