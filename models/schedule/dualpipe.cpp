// DualPipe (DeepSeek-V3 technical report, section 3.2.1; reference
// implementation deepseek-ai/DualPipe, dualpipe/dualpipe.py, step()).
//
// N ranks, C micro-batches. Two lanes run the same model in opposite
// directions: lane 0 enters at rank 0 (stage s on rank s), lane 1 at rank N-1
// (stage s on rank N-1-s); each takes C/2 micro-batches, so rank r holds model
// stages r and N-1-r. A rank's "phase 0" is the lane whose input is nearer to
// it (lane 0 on the first half of the ranks, lane 1 on the second half).
//
// The program is the reference implementation's eight steps, op for op,
// including the un-overlapped first pair of step 4 on the two middle ranks and
// the weight-gradient deferral (I now, W later, first in first out).
#include <algorithm>
#include <deque>
#include <stdexcept>

#include "models/schedule/schedule.hpp"

namespace v3sim::models {
namespace {

class DualPipeRankWriter {
 public:
  DualPipeRankWriter(int ranks, int rank, Program& prog)
      : n_(ranks), rank_(rank), second_half_(rank >= ranks / 2), prog_(prog) {}

  void forward(int phase) { prog_.push_back(make_op(OpKind::kF, next_forward(phase))); }
  void backward(int phase, bool defer_weights) {
    const Chunk c = next_backward(phase);
    prog_.push_back(make_op(defer_weights ? OpKind::kI : OpKind::kB, c));
    if (defer_weights) deferred_.push_back(c);
  }
  void weight() {
    prog_.push_back(make_op(OpKind::kW, deferred_.front()));
    deferred_.pop_front();
  }
  void pair(int forward_phase, int backward_phase) {
    const Chunk f = next_forward(forward_phase);
    prog_.push_back(make_pair(f, next_backward(backward_phase)));
  }
  bool all_weights_done() const { return deferred_.empty(); }

 private:
  int lane(int phase) const { return phase ^ (second_half_ ? 1 : 0); }
  int stage(int l) const { return l == 0 ? rank_ : n_ - 1 - rank_; }
  Chunk next_forward(int phase) {
    const int l = lane(phase);
    return Chunk{l, stage(l), forwards_[l]++};
  }
  Chunk next_backward(int phase) {
    const int l = lane(phase);
    return Chunk{l, stage(l), backwards_[l]++};
  }

  int n_, rank_;
  bool second_half_;
  Program& prog_;
  int forwards_[2] = {0, 0};
  int backwards_[2] = {0, 0};
  std::deque<Chunk> deferred_;
};

}  // namespace

Schedule make_dualpipe(const ScheduleSpec& spec) {
  const int n = spec.stages, c = spec.microbatches, half = n / 2;
  Schedule s;
  s.spec = spec;
  s.ranks = n;
  s.model_parts = n;
  s.rank_of.assign(2, std::vector<int>(n));
  s.part_of.assign(2, std::vector<int>(n));
  for (int st = 0; st < n; ++st) {
    s.rank_of[0][st] = st;
    s.rank_of[1][st] = n - 1 - st;
    s.part_of[0][st] = s.part_of[1][st] = st;
  }
  s.lane_microbatches = {c / 2, c / 2};
  s.programs.assign(n, {});

  for (int r = 0; r < n; ++r) {
    DualPipeRankWriter w(n, r, s.programs[r]);
    const int h = std::min(r, n - 1 - r);
    const bool middle = r == half - 1 || r == half;
    // Step 1: nF0.
    for (int i = 0; i < 2 * (half - h - 1); ++i) w.forward(0);
    // Step 2: nF0F1.
    for (int i = 0; i < h + 1; ++i) {
      w.forward(0);
      w.forward(1);
    }
    // Step 3: nB1W1F1, zero bubble.
    for (int i = 0; i < half - h - 1; ++i) {
      w.backward(1, true);
      w.weight();
      w.forward(1);
    }
    // Step 4, the main step: nF0B1F1B0 as overlapped pairs.
    for (int i = 0; i < c / 2 - n + h + 1; ++i) {
      if (i == 0 && middle) {
        w.forward(0);  // not overlapped, to shorten the bubble
        w.backward(1, false);
      } else {
        w.pair(0, 1);
      }
      w.pair(1, 0);
    }
    // Step 5: nB1F1B0.
    for (int i = 0; i < half - h - 1; ++i) {
      w.backward(1, false);
      w.pair(1, 0);
    }
    // Step 6: nB1B0, deferring weights from half-way on.
    const int step6 = h + 1;
    bool defer = false;
    for (int i = 0; i < step6; ++i) {
      if (i == step6 / 2 && h % 2 == 1) defer = true;
      w.backward(1, defer);
      if (i == step6 / 2 && h % 2 == 0) defer = true;
      w.backward(0, defer);
    }
    // Step 7: nWB0, zero bubble.
    for (int i = 0; i < half - h - 1; ++i) {
      w.weight();
      w.backward(0, true);
    }
    // Step 8: nW.
    for (int i = 0; i < h + 1; ++i) w.weight();
    if (!w.all_weights_done()) throw std::logic_error("dualpipe: weight gradients left over");
  }
  return s;
}

}  // namespace v3sim::models
