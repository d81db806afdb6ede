#pragma once
// The engine's future-event list: a binary min-heap ordered by (time, insertion
// sequence). The sequence number breaks ties, so events at equal times are
// handled in the order they were scheduled and every run is reproducible.
#include <cstdint>
#include <queue>
#include <vector>

#include "sim/time.hpp"

namespace v3sim::sim {

struct Event {
  Time time;
  std::uint64_t seq;
  std::uint32_t kind;
  std::uint32_t target;
  std::uint32_t tag;  // free for the handler (e.g. a version stamp)
};

class EventQueue {
 public:
  void push(Time time, std::uint32_t kind, std::uint32_t target, std::uint32_t tag = 0) {
    heap_.push(Event{time, next_seq_++, kind, target, tag});
  }
  Time next_time() const { return heap_.top().time; }
  bool empty() const { return heap_.empty(); }
  Event pop() {
    Event e = heap_.top();
    heap_.pop();
    return e;
  }
  std::uint64_t scheduled() const { return next_seq_; }
  // A sequence number for an event kept elsewhere (sim/drain_queue.hpp), so
  // that both queues share one order.
  std::uint64_t take_seq() { return next_seq_++; }
  std::uint64_t next_seq() const { return heap_.top().seq; }

 private:
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.time != b.time ? a.time > b.time : a.seq > b.seq;
    }
  };
  std::priority_queue<Event, std::vector<Event>, Later> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace v3sim::sim
