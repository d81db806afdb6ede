#pragma once
// Projected drain times of the running flows: one entry per flow, moved in
// place when the flow's rate changes (an indexed binary heap), so a rate
// change leaves no stale event behind. Entries carry a sequence number from
// the engine's event queue, and the engine takes whichever of the two queues
// holds the earlier (time, sequence): the order of events is exactly that of
// one queue.
#include <cstdint>
#include <vector>

#include "sim/time.hpp"

namespace v3sim::sim {

class DrainQueue {
 public:
  explicit DrainQueue(std::size_t flows) : pos_(flows, kAbsent) {}

  // Makes room for keys up to `key`.
  void reserve_key(std::uint32_t key) {
    if (key >= pos_.size()) pos_.resize(key + 1, kAbsent);
  }

  bool empty() const { return heap_.empty(); }
  Time next_time() const { return heap_.front().time; }
  std::uint64_t next_seq() const { return heap_.front().seq; }
  std::uint32_t next_flow() const { return heap_.front().flow; }

  // Inserts or moves the flow's entry.
  void set(std::uint32_t flow, Time time, std::uint64_t seq) {
    std::size_t i = pos_[flow];
    if (i == kAbsent) {
      i = heap_.size();
      heap_.push_back({time, seq, flow});
      pos_[flow] = i;
    } else {
      heap_[i].time = time;
      heap_[i].seq = seq;
    }
    up(i);
    down(pos_[flow]);
  }

  void erase(std::uint32_t flow) {
    const std::size_t i = pos_[flow];
    if (i == kAbsent) return;
    pos_[flow] = kAbsent;
    if (i + 1 == heap_.size()) {
      heap_.pop_back();
      return;
    }
    heap_[i] = heap_.back();
    heap_.pop_back();
    pos_[heap_[i].flow] = i;
    up(i);
    down(pos_[heap_[i].flow]);
  }

  void pop() { erase(heap_.front().flow); }

 private:
  static constexpr std::size_t kAbsent = ~std::size_t{0};
  struct Entry {
    Time time;
    std::uint64_t seq;
    std::uint32_t flow;
  };
  static bool before(const Entry& a, const Entry& b) { return a.time != b.time ? a.time < b.time : a.seq < b.seq; }
  void place(std::size_t i, const Entry& e) {
    heap_[i] = e;
    pos_[e.flow] = i;
  }
  void up(std::size_t i) {
    const Entry e = heap_[i];
    while (i > 0 && before(e, heap_[(i - 1) / 2])) {
      place(i, heap_[(i - 1) / 2]);
      i = (i - 1) / 2;
    }
    place(i, e);
  }
  void down(std::size_t i) {
    const Entry e = heap_[i];
    for (;;) {
      std::size_t c = 2 * i + 1;
      if (c >= heap_.size()) break;
      if (c + 1 < heap_.size() && before(heap_[c + 1], heap_[c])) ++c;
      if (!before(heap_[c], e)) break;
      place(i, heap_[c]);
      i = c;
    }
    place(i, e);
  }

  std::vector<Entry> heap_;
  std::vector<std::size_t> pos_;  // per flow: index in heap_, or kAbsent
};

}  // namespace v3sim::sim
