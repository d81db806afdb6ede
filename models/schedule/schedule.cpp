#include "models/schedule/schedule.hpp"

#include <set>
#include <stdexcept>

namespace v3sim::models {
namespace {

struct KindInfo {
  ScheduleKind kind;
  const char* name;
  const char* description;
};

constexpr KindInfo kKinds[] = {
    {ScheduleKind::kGPipe, "gpipe", "all forwards, then all backwards"},
    {ScheduleKind::k1F1B, "1f1b", "one-forward-one-backward, Megatron order"},
    {ScheduleKind::kInterleaved1F1B, "interleaved_1f1b", "1F1B over `chunks` model chunks per rank (Megatron)"},
    {ScheduleKind::kZB1P, "zb1p", "zero-bubble ZB-H1: 1F1B with weight gradients deferred into the bubbles"},
    {ScheduleKind::kZBH2, "zbh2", "zero-bubble ZB-H2: 2p-1 warm-up forwards, deferred weight gradients"},
    {ScheduleKind::kDualPipe, "dualpipe", "DualPipe: bidirectional, overlapped forward/backward pairs"},
    {ScheduleKind::kDualPipeV, "dualpipev", "DualPipeV: DualPipe folded into a V, two stages per rank"},
};

std::string str(int v) { return std::to_string(v); }

}  // namespace

const std::vector<std::string>& schedule_kind_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& k : kKinds) n.push_back(k.name);
    return n;
  }();
  return names;
}

ScheduleKind schedule_kind_from_name(const std::string& name) {
  for (const auto& k : kKinds)
    if (name == k.name) return k.kind;
  throw std::invalid_argument("unknown schedule kind \"" + name + "\"");
}

std::string schedule_kind_name(ScheduleKind kind) {
  for (const auto& k : kKinds)
    if (k.kind == kind) return k.name;
  return "?";
}

std::string schedule_kind_description(ScheduleKind kind) {
  for (const auto& k : kKinds)
    if (k.kind == kind) return k.description;
  return "?";
}

int ranks_for(const ScheduleSpec& spec) {
  return spec.kind == ScheduleKind::kDualPipeV ? spec.stages / 2 : spec.stages;
}

std::optional<SpecProblem> check_spec(const ScheduleSpec& s) {
  const std::string kind = schedule_kind_name(s.kind);
  if (s.stages < 1) return SpecProblem{"stages", "needs at least 1 stage"};
  if (s.microbatches < 1) return SpecProblem{"microbatches", "needs at least 1 micro-batch"};
  if (s.chunks < 1) return SpecProblem{"chunks", "needs at least 1 chunk"};
  if (s.kind != ScheduleKind::kInterleaved1F1B && s.chunks != 1)
    return SpecProblem{"chunks", kind + " runs one model chunk per rank; chunks applies to interleaved_1f1b only"};
  if (s.kind != ScheduleKind::kInterleaved1F1B && s.microbatch_group != 0)
    return SpecProblem{"microbatch_group", kind + " runs no micro-batch groups; microbatch_group applies to interleaved_1f1b only"};
  switch (s.kind) {
    case ScheduleKind::kInterleaved1F1B:
      if (s.chunks < 2) return SpecProblem{"chunks", "interleaved_1f1b needs at least 2 chunks per rank"};
      if (auto problem = check_interleaved_group(s)) return problem;
      if (s.layers && *s.layers % (s.stages * s.chunks) != 0)
        return SpecProblem{"layers", "interleaved_1f1b needs layers (" + str(*s.layers) +
                                         ") divisible by stages x chunks (" + str(s.stages * s.chunks) + ")"};
      break;
    case ScheduleKind::kDualPipe:
      if (s.stages % 2 != 0) return SpecProblem{"stages", "dualpipe needs an even number of stages, got " + str(s.stages)};
      if (s.microbatches % 2 != 0)
        return SpecProblem{"microbatches", "dualpipe needs an even number of micro-batches, got " + str(s.microbatches)};
      if (s.microbatches < 2 * s.stages)
        return SpecProblem{"microbatches", "dualpipe needs at least twice as many micro-batches as stages (" +
                                               str(2 * s.stages) + "), got " + str(s.microbatches)};
      break;
    case ScheduleKind::kDualPipeV:
      if (s.stages % 2 != 0)
        return SpecProblem{"stages", "dualpipev holds two stages per rank and needs an even number of stages, got " +
                                         str(s.stages)};
      if (s.microbatches < s.stages)
        return SpecProblem{"microbatches", "dualpipev needs at least twice as many micro-batches as ranks (" +
                                               str(s.stages) + "), got " + str(s.microbatches)};
      break;
    default:
      break;
  }
  if (s.layers && s.kind != ScheduleKind::kInterleaved1F1B) {
    const int parts = s.stages;
    if (*s.layers < parts) return SpecProblem{"layers", "needs at least one layer per stage"};
    if (*s.layers % parts != 0)
      return SpecProblem{"layers", kind + " needs layers (" + str(*s.layers) + ") divisible by stages (" + str(parts) + ")"};
  }
  return std::nullopt;
}

Schedule make_schedule(const ScheduleSpec& spec) {
  if (auto problem = check_spec(spec)) throw std::invalid_argument(problem->message);
  switch (spec.kind) {
    case ScheduleKind::kGPipe: return make_gpipe(spec);
    case ScheduleKind::k1F1B: return make_1f1b(spec);
    case ScheduleKind::kInterleaved1F1B: return make_interleaved_1f1b(spec);
    case ScheduleKind::kZB1P: return make_zb1p(spec);
    case ScheduleKind::kZBH2: return make_zbh2(spec);
    case ScheduleKind::kDualPipe: return make_dualpipe(spec);
    case ScheduleKind::kDualPipeV: return make_dualpipev(spec);
  }
  throw std::logic_error("unreachable schedule kind");
}

Schedule linear_schedule(const ScheduleSpec& spec) {
  Schedule s;
  s.spec = spec;
  s.ranks = spec.stages;
  s.model_parts = spec.stages;
  s.rank_of.assign(1, {});
  s.part_of.assign(1, {});
  for (int st = 0; st < spec.stages; ++st) {
    s.rank_of[0].push_back(st);
    s.part_of[0].push_back(st);
  }
  s.lane_microbatches = {spec.microbatches};
  s.programs.assign(s.ranks, {});
  return s;
}

double Schedule::parameter_copies(int rank) const {
  std::set<int> parts;
  for (std::size_t lane = 0; lane < rank_of.size(); ++lane)
    for (std::size_t st = 0; st < rank_of[lane].size(); ++st)
      if (rank_of[lane][st] == rank) parts.insert(part_of[lane][st]);
  return static_cast<double>(parts.size()) * spec.stages / model_parts;
}

}  // namespace v3sim::models
