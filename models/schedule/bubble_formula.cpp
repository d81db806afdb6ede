#include "models/schedule/bubble_formula.hpp"

#include <cmath>

namespace v3sim::models {
namespace {

bool near(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(b)}); }
bool at_most(double a, double b) { return a <= b || near(a, b); }

}  // namespace

BubbleFormula published_bubble(const ScheduleSpec& spec, const OpCostsMs& c) {
  const double pp = spec.stages, F = c.F, B = c.B, W = c.W.value_or(0), FB = c.FB.value_or(c.F + c.B);
  const bool no_latency = c.p2p_latency == 0;
  BubbleFormula f;
  f.scope = "every rank";
  switch (spec.kind) {
    case ScheduleKind::kGPipe:
    case ScheduleKind::k1F1B:
      f.expression = "(PP-1)(F+B)";
      f.value_ms = (pp - 1) * (F + B);
      f.regime_met = true;
      break;
    case ScheduleKind::kInterleaved1F1B:
      f.expression = "(PP-1)(F+B)/v";
      f.value_ms = (pp - 1) * (F + B) / spec.chunks;
      f.regime_met = true;
      break;
    case ScheduleKind::kZB1P:
      f.expression = "(PP-1)(F+B-2W)";
      f.value_ms = (pp - 1) * (F + B - 2 * W);
      f.exact_when = "W <= F and W <= B-W";
      f.regime_met = at_most(W, F) && at_most(W, B - W);
      break;
    case ScheduleKind::kZBH2:
      f.expression = "(PP-1)(F+B-3W)";
      f.value_ms = (pp - 1) * (F + B - 3 * W);
      f.exact_when = "W <= F, B-W >= 2W and micro-batches >= 2PP";
      f.regime_met = at_most(W, F) && at_most(2 * W, B - W) && spec.microbatches >= 2 * spec.stages;
      break;
    case ScheduleKind::kDualPipe:
    case ScheduleKind::kDualPipeV:
      f.expression = "(PP/2-1)(F&B+B-3W)";
      f.scope = "maximum over ranks";
      f.value_ms = (pp / 2 - 1) * (FB + B - 3 * W);
      f.exact_when = "B-W = F, W <= F and B <= F&B <= F+B";
      f.regime_met = near(B - W, F) && at_most(W, F) && at_most(B, FB) && at_most(FB, F + B);
      break;
  }
  f.regime_met = f.regime_met && no_latency;
  if (f.value_ms < 0) f.defined = false, f.value_ms = 0;
  if (!no_latency) f.exact_when = (f.exact_when.empty() ? "" : f.exact_when + ", ") + "zero p2p latency";
  return f;
}

}  // namespace v3sim::models
