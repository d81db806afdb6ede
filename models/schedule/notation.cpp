#include "models/schedule/notation.hpp"

namespace v3sim::models {

std::string op_kind_letter(OpKind kind) {
  switch (kind) {
    case OpKind::kF: return "F";
    case OpKind::kB: return "B";
    case OpKind::kI: return "I";
    case OpKind::kW: return "W";
    case OpKind::kFB: return "FB";
  }
  return "?";
}

int chunk_on_rank(const Schedule& s, const Chunk& c) {
  switch (s.spec.kind) {
    case ScheduleKind::kDualPipe: return c.lane;
    case ScheduleKind::kDualPipeV: return c.stage >= s.ranks ? 1 : 0;
    case ScheduleKind::kInterleaved1F1B: return c.stage / s.ranks;
    default: return 0;
  }
}

std::string format_chunk(const Schedule& s, OpKind kind, const Chunk& c) {
  std::string out = op_kind_letter(kind) + std::to_string(c.microbatch);
  const int chunk = chunk_on_rank(s, c);
  switch (s.spec.kind) {
    case ScheduleKind::kDualPipe:
      if (chunk == 1) out += "r";
      break;
    case ScheduleKind::kDualPipeV:
      if (chunk == 1) out += "v";
      break;
    case ScheduleKind::kInterleaved1F1B:
      out += "." + std::to_string(chunk);
      break;
    default:
      break;
  }
  return out;
}

std::string format_op(const Schedule& s, const Op& op) {
  if (op.kind == OpKind::kFB)
    return "[" + format_chunk(s, OpKind::kF, op.a) + "&" + format_chunk(s, OpKind::kB, op.b) + "]";
  return format_chunk(s, op.kind, op.a);
}

std::string format_program(const Schedule& s, int rank) {
  std::string out = "rank" + std::to_string(rank) + ":";
  for (const Op& op : s.programs[rank]) out += " " + format_op(s, op);
  return out;
}

}  // namespace v3sim::models
