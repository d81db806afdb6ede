#include "models/moe/token_routing.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <tuple>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace v3sim::models {
namespace {

// splitmix64: a small, fast generator whose output is the same everywhere.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

}  // namespace

TokenRouting route_tokens(const RoutingSpec& s) {
  if (s.ranks < 1 || s.ranks_per_node < 1 || (s.ranks > s.ranks_per_node && s.ranks % s.ranks_per_node != 0))
    throw std::invalid_argument("ranks must fill whole nodes");
  if (s.experts % s.ranks != 0) throw std::invalid_argument("experts must divide evenly over ranks");
  if (s.groups < 1 || s.experts % s.groups != 0) throw std::invalid_argument("experts must divide evenly into groups");
  if (s.group_limit < 1 || s.group_limit > s.groups) throw std::invalid_argument("group limit must be in [1, groups]");
  if (s.topk < 1 || s.topk > s.group_limit * (s.experts / s.groups))
    throw std::invalid_argument("top-k exceeds the experts of the allowed groups");

  TokenRouting r;
  r.ranks = s.ranks;
  r.ranks_per_node = std::min(s.ranks_per_node, s.ranks);
  r.nodes = s.ranks / r.ranks_per_node;
  r.tokens_to_rank.assign(static_cast<std::size_t>(r.ranks) * r.ranks, 0);
  r.tokens_to_node.assign(static_cast<std::size_t>(r.ranks) * r.nodes, 0);

  const int per_group = s.experts / s.groups, per_rank = s.experts / s.ranks;
  std::vector<double> weight(s.experts);
  for (int e = 0; e < s.experts; ++e) weight[e] = std::pow(e + 1.0, -s.skew);
  std::vector<double> score(s.experts), group_score(s.groups);
  std::vector<int> group_order(s.groups), top, touched_ranks, touched_nodes;
  std::vector<char> hit_rank(r.ranks), hit_node(r.nodes);

  for (int src = 0; src < s.ranks; ++src) {
    Rng rng{s.seed * 0x100000001b3ULL + static_cast<std::uint64_t>(src)};
    for (int t = 0; t < s.tokens_per_rank; ++t) {
      if (s.skew == 0)
        for (int e = 0; e < s.experts; ++e) score[e] = rng.uniform();
      else
        for (int e = 0; e < s.experts; ++e) score[e] = rng.uniform() * weight[e];
      for (int g = 0; g < s.groups; ++g)
        group_score[g] = *std::max_element(score.begin() + g * per_group, score.begin() + (g + 1) * per_group);
      std::iota(group_order.begin(), group_order.end(), 0);
      std::partial_sort(group_order.begin(), group_order.begin() + s.group_limit, group_order.end(),
                        [&](int a, int b) { return group_score[a] != group_score[b] ? group_score[a] > group_score[b] : a < b; });
      // Top-k of the allowed groups' experts by (score desc, index asc),
      // kept sorted in a k-slot array: most candidates lose to the k-th.
      top.clear();
      for (int i = 0; i < s.group_limit; ++i)
        for (int e = group_order[i] * per_group; e < (group_order[i] + 1) * per_group; ++e) {
          auto better = [&](int a, int b) { return score[a] != score[b] ? score[a] > score[b] : a < b; };
          if (static_cast<int>(top.size()) == s.topk && !better(e, top.back())) continue;
          if (static_cast<int>(top.size()) == s.topk) top.pop_back();
          top.insert(std::upper_bound(top.begin(), top.end(), e, better), e);
        }
      touched_ranks.clear();
      touched_nodes.clear();
      for (int e : top) {
        const int rank = e / per_rank, node = rank / r.ranks_per_node;
        if (!hit_rank[rank]) touched_ranks.push_back(rank);
        if (!hit_node[node]) touched_nodes.push_back(node);
        hit_rank[rank] = hit_node[node] = 1;
      }
      for (int d : touched_ranks) {
        ++r.tokens_to_rank[static_cast<std::size_t>(src * r.ranks + d)];
        hit_rank[d] = 0;
      }
      for (int n : touched_nodes) {
        ++r.tokens_to_node[static_cast<std::size_t>(src * r.nodes + n)];
        hit_node[n] = 0;
      }
    }
  }
  return r;
}

std::shared_ptr<const TokenRouting> route_tokens_memoised(const RoutingSpec& s) {
  using Key = std::tuple<int, int, int, int, int, int, int, double, std::uint64_t>;
  static std::mutex mutex;
  static std::deque<std::pair<Key, std::shared_ptr<const TokenRouting>>> recent;
  constexpr std::size_t kKept = 8;
  const Key key{s.ranks, s.ranks_per_node, s.tokens_per_rank, s.experts, s.topk, s.groups, s.group_limit, s.skew, s.seed};
  {
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& [k, r] : recent)
      if (k == key) return r;
  }
  auto r = std::make_shared<const TokenRouting>(route_tokens(s));  // outside the lock: other draws may proceed
  std::lock_guard<std::mutex> lock(mutex);
  recent.emplace_back(key, r);
  if (recent.size() > kKept) recent.pop_front();
  return r;
}

}  // namespace v3sim::models
