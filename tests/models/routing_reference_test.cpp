// The routing draw against a plain reference written from its definition
// (models/moe/token_routing.hpp): per source rank a splitmix64 generator
// seeded seed * 0x100000001b3 + rank; per token a uniform score per expert,
// (next() >> 11) * 2^-53, times (e+1)^-skew; a group scores its best
// expert; the token takes the best group_limit groups and its top-k experts
// in them, both ordered by (score descending, index ascending); it counts
// once for every rank and node it reaches. The production draw takes faster
// paths (packed keys, vector floors); the counts must be the same.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "models/moe/token_routing.hpp"

namespace v3sim::models {
namespace {

TokenRouting reference(const RoutingSpec& s) {
  TokenRouting r;
  r.ranks = s.ranks;
  r.ranks_per_node = s.ranks_per_node;
  r.nodes = (s.ranks + s.ranks_per_node - 1) / s.ranks_per_node;
  r.tokens_to_rank.assign(static_cast<std::size_t>(r.ranks * r.ranks), 0);
  r.tokens_to_node.assign(static_cast<std::size_t>(r.ranks * r.nodes), 0);
  const int per_group = s.experts / s.groups, per_rank = s.experts / s.ranks;
  for (int src = 0; src < s.ranks; ++src) {
    std::uint64_t state = s.seed * 0x100000001b3ULL + static_cast<std::uint64_t>(src);
    auto next = [&] {
      std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      return z ^ (z >> 31);
    };
    std::vector<double> score(static_cast<std::size_t>(s.experts)), group(static_cast<std::size_t>(s.groups));
    for (int t = 0; t < s.tokens_per_rank; ++t) {
      for (int e = 0; e < s.experts; ++e)
        score[static_cast<std::size_t>(e)] = static_cast<double>(next() >> 11) * 0x1.0p-53 * std::pow(e + 1.0, -s.skew);
      for (int g = 0; g < s.groups; ++g)
        group[static_cast<std::size_t>(g)] =
            *std::max_element(score.begin() + g * per_group, score.begin() + (g + 1) * per_group);
      std::vector<int> groups(static_cast<std::size_t>(s.groups));
      std::iota(groups.begin(), groups.end(), 0);
      std::stable_sort(groups.begin(), groups.end(), [&](int a, int b) { return group[a] > group[b]; });
      std::vector<int> candidates;
      for (int i = 0; i < s.group_limit; ++i)
        for (int e = groups[static_cast<std::size_t>(i)] * per_group; e < (groups[static_cast<std::size_t>(i)] + 1) * per_group; ++e)
          candidates.push_back(e);
      std::sort(candidates.begin(), candidates.end(),
                [&](int a, int b) { return score[a] != score[b] ? score[a] > score[b] : a < b; });
      std::set<int> ranks, nodes;
      for (int i = 0; i < s.topk; ++i) {
        const int rank = candidates[static_cast<std::size_t>(i)] / per_rank;
        ranks.insert(rank);
        nodes.insert(rank / s.ranks_per_node);
      }
      for (int d : ranks) ++r.tokens_to_rank[static_cast<std::size_t>(src * r.ranks + d)];
      for (int n : nodes) ++r.tokens_to_node[static_cast<std::size_t>(src * r.nodes + n)];
    }
  }
  return r;
}

void expect_same(const RoutingSpec& s) {
  const TokenRouting fast = route_tokens(s, 1), slow = reference(s);
  EXPECT_EQ(fast.tokens_to_rank, slow.tokens_to_rank);
  EXPECT_EQ(fast.tokens_to_node, slow.tokens_to_node);
}

TEST(RoutingReference, SameCountsWithAndWithoutSkew) {
  RoutingSpec s;
  s.ranks = 16;
  s.tokens_per_rank = 256;
  for (double skew : {0.0, 0.0014, 0.3, 1.0}) {
    SCOPED_TRACE(skew);
    s.skew = skew;
    expect_same(s);
  }
}

// Few candidates: one group of 16 experts for top-8 leaves the vector floor
// fewer than k survivors often, so the full scan takes over.
TEST(RoutingReference, FewCandidatesFallBackToTheFullScan) {
  RoutingSpec s;
  s.ranks = 8;
  s.experts = 128;
  s.groups = 8;
  s.group_limit = 1;
  s.tokens_per_rank = 512;
  s.skew = 0.5;
  expect_same(s);
}

// More than 2^11 experts: the scalar paths.
TEST(RoutingReference, ManyExperts) {
  RoutingSpec s;
  s.ranks = 8;
  s.experts = 4096;
  s.groups = 8;
  s.tokens_per_rank = 32;
  for (double skew : {0.0, 0.2}) {
    SCOPED_TRACE(skew);
    s.skew = skew;
    expect_same(s);
  }
}

}  // namespace
}  // namespace v3sim::models
