#include "sim/drain_queue.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

namespace v3sim::sim {
namespace {

// Random inserts, moves and erases against an ordered set of (time, seq,
// flow): the queue's front is always the set's first element.
TEST(DrainQueue, FrontIsTheEarliestAfterMovesAndErases) {
  constexpr std::uint32_t kFlows = 50;
  DrainQueue q(kFlows);
  std::set<std::tuple<Time, std::uint64_t, std::uint32_t>> ref;
  std::map<std::uint32_t, std::pair<Time, std::uint64_t>> at;
  std::uint64_t seq = 0, x = 12345;
  auto rnd = [&] { return x = x * 6364136223846793005ULL + 1442695040888963407ULL, x >> 33; };
  for (int step = 0; step < 5000; ++step) {
    const auto flow = static_cast<std::uint32_t>(rnd() % kFlows);
    if (rnd() % 4 == 0) {
      q.erase(flow);
      if (at.count(flow)) ref.erase({at[flow].first, at[flow].second, flow}), at.erase(flow);
    } else {
      const Time t = static_cast<Time>(rnd() % 100);  // many equal times: the sequence decides
      if (at.count(flow)) ref.erase({at[flow].first, at[flow].second, flow});
      q.set(flow, t, seq);
      at[flow] = {t, seq};
      ref.insert({t, seq++, flow});
    }
    ASSERT_EQ(q.empty(), ref.empty());
    if (!ref.empty()) {
      EXPECT_EQ(q.next_time(), std::get<0>(*ref.begin()));
      EXPECT_EQ(q.next_seq(), std::get<1>(*ref.begin()));
      EXPECT_EQ(q.next_flow(), std::get<2>(*ref.begin()));
    }
  }
  while (!q.empty()) {  // pops in order
    EXPECT_EQ(q.next_flow(), std::get<2>(*ref.begin()));
    ref.erase(ref.begin());
    q.pop();
  }
  EXPECT_TRUE(ref.empty());
}

}  // namespace
}  // namespace v3sim::sim
