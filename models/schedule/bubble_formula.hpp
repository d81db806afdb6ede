#pragma once
// The published closed-form bubbles (DeepSeek-V3 report Table 2, the
// zero-bubble paper, Megatron), with the op-time regime in which v3sim's
// simulation reproduces each exactly (zero p2p latency). Reported beside the
// measured bubble; never used to compute it.
#include <string>

#include "models/scenario.hpp"

namespace v3sim::models {

struct BubbleFormula {
  std::string expression;  // e.g. "(PP-1)(F+B)"
  std::string scope;       // "every rank" or "maximum over ranks"
  double value_ms = 0;     // 0 when not `defined`
  // False when the formula gives a negative time (outside its regime): no
  // time is reported then, only the regime.
  bool defined = true;
  std::string exact_when;  // the regime, in words; empty when always exact
  bool regime_met = false; // the scenario's op times lie in that regime
};

BubbleFormula published_bubble(const ScheduleSpec& spec, const OpCostsMs& costs);

}  // namespace v3sim::models
