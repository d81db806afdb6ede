#include "report/training_trace.hpp"

#include <fmt/format.h>

#include "report/trace_writer.hpp"

namespace v3sim::report {
namespace {

const char* component_name(models::Component c) {
  switch (c) {
    case models::Component::kAttention: return "attention";
    case models::Component::kDispatch: return "dispatch";
    case models::Component::kMlp: return "MLP";
    case models::Component::kCombine: return "combine";
  }
  return "?";
}

const char* pass_name(models::Pass p) {
  switch (p) {
    case models::Pass::kForward: return "F";
    case models::Pass::kInput: return "B";
    case models::Pass::kWeight: return "W";
  }
  return "?";
}

const char* block_name(models::BlockKind b) {
  switch (b) {
    case models::BlockKind::kEmbedding: return "embedding";
    case models::BlockKind::kDenseLayer: return "dense layer";
    case models::BlockKind::kMoeLayer: return "MoE layer";
    case models::BlockKind::kHead: return "head";
    case models::BlockKind::kMtp: return "MTP module";
  }
  return "?";
}

}  // namespace

std::string training_chrome_trace(const models::TrainingResult& r) {
  TraceWriter w;
  for (const models::TrainingRank& k : r.ranks) {
    w.process_name(k.rank, "rank " + std::to_string(k.rank));
    w.thread_name(k.rank, 0, "compute SMs");
    w.thread_name(k.rank, 1, "comm SMs");
    w.thread_name(k.rank, 2, "compute SMs, second stream");
  }
  for (const models::ComponentRecord& c : r.components) {
    if (c.end <= c.start) continue;
    w.complete(fmt::format("{}({})", component_name(c.component), pass_name(c.pass)), block_name(c.block), c.rank,
               c.comm ? 1 : c.second_stream ? 2 : 0, c.start, c.end - c.start);
  }
  return w.finish();
}

}  // namespace v3sim::report
