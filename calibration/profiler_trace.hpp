#pragma once
// A PyTorch profiler (Kineto) Chrome trace, read for calibration: the GPU
// kernels of one device with their stream, duration and grid, each
// attributed to the innermost CPU user annotation that enclosed its launch
// (through the launch's correlation id) and classified into v3sim's kernel
// taxonomy by the name patterns of calibration/reference/kernel_classes.json.
// Nothing is dropped: a kernel no pattern matches is class "unclassified", a
// kernel whose launch no annotation encloses has annotation -1.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "calibration/trace_contention.hpp"

namespace v3sim::calibration {

// One pattern of the taxonomy: kernels whose name matches `pattern`
// (ECMAScript regex, searched anywhere in the name) are of class `name`.
// Patterns are tried in file order; the first match wins.
struct KernelClassPattern {
  std::string name;
  std::string pattern;
  std::string what;  // one-line description, for listings
};

struct KernelTaxonomy {
  std::vector<KernelClassPattern> patterns;
  // Annotation grammar: "<label>(<pass>)", label mapped to a v3sim component.
  std::map<std::string, std::string> components;  // e.g. "attn" -> "attention"
  // Class names whose kernels are communication (they identify the comm stream).
  std::vector<std::string> comm_classes;
  // Class names of GEMMs (a stream other than the main compute stream that runs
  // them is a second compute stream).
  std::vector<std::string> gemm_classes;
  std::string source;  // where the names and patterns come from

  // Distinct class names in file order (a class may have several patterns).
  std::vector<std::string> class_names() const;
};

// The shipped taxonomy (calibration/reference/kernel_classes.json, compiled in).
const KernelTaxonomy& default_taxonomy();
// A taxonomy from its JSON form. Throws sim::InputError naming the pointer.
KernelTaxonomy parse_taxonomy(const std::string& json_text);
// One line per class, in match order: name, "comm"/"gemm" role, description
// and pattern; for printing.
std::string describe_kernel_classes(const KernelTaxonomy& taxonomy);

struct TraceAnnotation {
  std::string name;       // as recorded, e.g. "attn(F)"
  std::string component;  // v3sim component ("attention", "dispatch", "mlp", "combine"), "" if the name is not one
  std::string pass;       // "F", "B" or "W" ("" if not a component)
  double start_us = 0;
  double dur_us = 0;
};

enum class StreamRole { kCompute, kSecondCompute, kComm, kOther };

struct TraceKernel {
  std::string name;
  std::string kernel_class;  // a taxonomy class, or "unclassified"
  std::int64_t stream = 0;
  double start_us = 0;  // Kineto timestamps (microseconds)
  double dur_us = 0;
  std::array<int, 3> grid{1, 1, 1};
  int annotation = -1;  // index into ProfilerTrace::annotations
};

// A CPU thread that launched kernels of the device read: how many, how long
// its framework ops (the trace's "cpu_op" events, nested ones counted once)
// kept it busy, and in which pass the kernels it launched ran.
struct HostThread {
  std::string thread;  // "pid/tid"
  int launches = 0;
  double busy_us = 0;
  int forward_launches = 0;  // of them, kernels under a forward component annotation
};

struct ProfilerTrace {
  std::string file;
  int device = 0;  // the GPU whose kernels were read (the lowest device id present)
  std::vector<TraceKernel> kernels;          // ordered by start time
  std::vector<TraceAnnotation> annotations;  // innermost-first is not implied: ordered by start
  std::map<std::int64_t, StreamRole> streams;
  std::vector<std::string> warnings;  // e.g. kernels without an enclosing annotation
  int kernels_without_launch = 0;      // no CPU launch event carries their correlation id
  int kernels_without_annotation = 0;  // launched outside every annotation of the launching thread
  std::vector<HostThread> host_threads;  // by thread name
};

// Reads a Kineto Chrome trace, plain JSON or gzip (detected by its magic
// bytes). Throws sim::InputError with pointer "" and a message naming what was
// expected for an unreadable, truncated or malformed file, or a trace without
// GPU kernels. Streams are identified by what runs on them: the stream with
// the most communication-class time is kComm, the one with the most other
// kernel time kCompute, any other running GEMM classes kSecondCompute.
ProfilerTrace read_profiler_trace(const std::string& path, const KernelTaxonomy& taxonomy = default_taxonomy());

// What calibration and compare-trace use from a trace, in milliseconds.
struct TraceSummary {
  int layer_pairs = 0;        // occurrences of the most frequent component annotation
  double span_ms = 0;         // first kernel start to last kernel end
  double compute_busy_ms = 0; // union of kernel intervals on the compute streams
  double comm_busy_ms = 0;    // union of kernel intervals on the comm stream
  std::map<std::string, double> components;     // "attention(F)" -> summed kernel time
  std::map<std::string, double> kernel_classes; // class -> summed kernel time
  std::map<std::string, int> class_launches;    // class -> kernel count
  double unattributed_ms = 0;                   // kernels with no component annotation
  double tiny_kernel_us = 0;  // median duration of kernels with <= 32 blocks: what a launch costs once queued
  std::map<std::string, std::string> class_examples;  // class -> its first kernel's name
  std::map<std::string, int> elementwise_launches;    // "mlp(F)" -> the framework's element-wise kernels in it
  TraceContention contention;  // kernels beside others against themselves alone (trace_contention.hpp)
  // The host's cost of issuing a kernel: busy framework-op time of the
  // threads that launch forward kernels (most of theirs under forward
  // annotations) and of the others (the backward's autograd thread), per
  // kernel each launched. A lower bound: interpreter time between ops is
  // not in the trace's op events.
  double host_forward_us_per_launch = 0;
  double host_backward_us_per_launch = 0;
};

TraceSummary summarize(const ProfilerTrace& trace);

}  // namespace v3sim::calibration
