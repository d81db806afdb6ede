#include "models/training/tp_overlap.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace v3sim::models {
namespace {

sim::Time class_time(const Segment& s, const std::string& prefix) {
  sim::Time t = 0;
  for (const auto& [cls, d] : s.classes)
    if (cls.rfind(prefix, 0) == 0) t += d;
  return t;
}

}  // namespace

void overlap_tp_comm(std::vector<Segment>& list, int tp) {
  const double n = tp;
  for (Component c : {Component::kAttention, Component::kDispatch, Component::kMlp, Component::kCombine}) {
    double comm = 0, gemm = 0;
    for (const Segment& s : list) {
      if (s.component != c) continue;
      comm += static_cast<double>(class_time(s, "tp_all_reduce"));
      if (!s.comm) gemm += static_cast<double>(class_time(s, "gemm"));
    }
    if (comm <= 0) continue;
    const double share = (comm / n + std::max(0.0, (comm - gemm) * (n - 1) / n)) / comm;
    for (Segment& s : list) {
      if (s.component != c || !s.comm) continue;
      for (auto& [cls, d] : s.classes) {
        if (cls != "tp_all_reduce") continue;
        const sim::Time kept = static_cast<sim::Time>(std::llround(static_cast<double>(d) * share));
        s.fixed -= d - kept;
        d = kept;
      }
    }
  }
}

}  // namespace v3sim::models
