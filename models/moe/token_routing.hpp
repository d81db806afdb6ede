#pragma once
// Which ranks each token must reach: top-k expert routing limited to a few
// groups of experts (DeepSeek-V3's node-limited routing), drawn from a seed.
// Scores follow DeepEP's benchmark: random per (token, expert); a group's
// score is its best expert's; the token picks the best `group_limit` groups,
// then its top-k experts inside them. With `skew` > 0 expert e's scores are
// scaled by (e+1)^-skew, so low-numbered experts are popular (load imbalance).
#include <cstdint>
#include <memory>
#include <vector>

namespace v3sim::models {

struct RoutingSpec {
  int ranks = 8;            // expert-parallel ranks
  int ranks_per_node = 8;
  int tokens_per_rank = 4096;
  int experts = 256;        // spread evenly: experts/ranks per rank
  int topk = 8;
  int groups = 8;           // expert groups (contiguous blocks of experts)
  int group_limit = 4;      // groups a token may use
  double skew = 0;
  std::uint64_t seed = 1;
};

struct TokenRouting {
  int ranks = 0;
  int nodes = 0;
  int ranks_per_node = 0;
  // tokens_to_rank[s * ranks + d]: tokens of rank s with an expert on rank d
  // (s == d included: they stay local).
  std::vector<std::int64_t> tokens_to_rank;
  // tokens_to_node[s * nodes + n]: tokens of rank s with an expert on node n.
  std::vector<std::int64_t> tokens_to_node;
  std::int64_t to_rank(int s, int d) const { return tokens_to_rank[static_cast<std::size_t>(s * ranks + d)]; }
  std::int64_t to_node(int s, int n) const { return tokens_to_node[static_cast<std::size_t>(s * nodes + n)]; }
};

// Throws std::invalid_argument for inconsistent sizes. Source ranks are drawn
// on `threads` threads (0: one per core); each has its own generator, so the
// result is the same on any number.
TokenRouting route_tokens(const RoutingSpec& spec, int threads = 0);

// The same draw, remembered for the process: a sweep whose points share a
// routing (every axis but the routing's own) draws it once, even when points
// ask at the same time (the later ones wait for the first's draw).
// Thread-safe; keeps the most recent few specs.
std::shared_ptr<const TokenRouting> route_tokens_memoised(const RoutingSpec& spec);

}  // namespace v3sim::models
