#pragma once
// Pipeline programs as data: each rank runs an ordered list of ops.
#include <cstdint>
#include <vector>

namespace v3sim::models {

enum class OpKind : std::uint8_t {
  kF,   // forward of one stage-chunk
  kB,   // full backward (input and weight gradients)
  kI,   // backward for the input gradient only; its weight gradient is deferred
  kW,   // the deferred weight gradient of an earlier I
  kFB,  // a forward and a full backward run mutually overlapped (DualPipe's pair)
};

// One micro-batch at one stage. A lane is a path of stages through the ranks
// (DualPipe has two: the forward and the reverse direction); `stage` is the
// position along that path and `microbatch` counts within the lane.
struct Chunk {
  int lane = 0;
  int stage = 0;
  int microbatch = 0;
  friend bool operator==(const Chunk&, const Chunk&) = default;
};

struct Op {
  OpKind kind;
  Chunk a;  // the op's chunk; for kFB the forward one
  Chunk b;  // kFB only: the backward one
  friend bool operator==(const Op&, const Op&) = default;
};

using Program = std::vector<Op>;

inline Op make_op(OpKind k, Chunk c) { return Op{k, c, Chunk{}}; }
inline Op make_pair(Chunk forward, Chunk backward) { return Op{OpKind::kFB, forward, backward}; }

}  // namespace v3sim::models
