#pragma once
// The text notation of DESIGN.md: `rank0: F0 F1 F0r I0r W0r [F7&B3r] B6r W6`.
// The number is the micro-batch within its lane; `r` marks DualPipe's reverse
// lane, `v` the second stage a DualPipeV rank holds, `.k` model chunk k of
// interleaved 1F1B, and `[X&Y]` an overlapped pair.
#include <string>

#include "models/schedule/schedule.hpp"

namespace v3sim::models {

std::string op_kind_letter(OpKind kind);
std::string format_chunk(const Schedule& s, OpKind kind, const Chunk& c);  // e.g. "F3r"
std::string format_op(const Schedule& s, const Op& op);
std::string format_program(const Schedule& s, int rank);  // "rank0: F0 F1 ..."

// Which model chunk of its rank a lane stage is (0 or 1 for DualPipeV, 0..v-1
// for interleaved 1F1B, the lane for DualPipe); used for colouring timelines.
int chunk_on_rank(const Schedule& s, const Chunk& c);

}  // namespace v3sim::models
