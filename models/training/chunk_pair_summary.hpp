#pragma once
// What a chunk_pair run measures over its overlapped region [F1 & B0] alone
// (not the lone forward before it and backward after it): the span, the
// busy time of the compute and communication streams, the time of each
// component (attention, dispatch, MLP, combine in F, B and W) and of each
// kernel class. The same quantities a profiler trace of the real pair gives
// (calibration/profiler_trace.hpp), so the two compare one to one.
#include <map>
#include <string>

#include "models/training/training_step.hpp"

namespace v3sim::models {

struct ChunkPairSummary {
  double span_ms = 0;
  int layer_pairs = 0;
  double compute_busy_ms = 0;  // union over both compute streams
  double comm_busy_ms = 0;
  // What contention cost each compute stream over the region: its kernels'
  // time in the pair over their time alone (main stream, second stream).
  double compute_stretch = 1;
  double second_stream_stretch = 1;
  std::map<std::string, double> components;      // "attention(F)" -> ms summed over the region
  std::map<std::string, double> kernel_classes;  // class -> ms summed over the region
};

// Of a result of the chunk_pair schedule (spec.chunk_pair); throws
// std::logic_error for any other.
ChunkPairSummary summarize_chunk_pair(const TrainingResult& r);

}  // namespace v3sim::models
