#pragma once
// A tiered prefix cache of KV blocks (docs/serving.md, "Prefix cache"): tiers
// fastest first (HBM, DRAM, a disk tier like DeepSeek's 3FS KVCache), each
// LRU with a capacity; a block evicted from one tier moves to the next, a
// block read is moved back to the first. A request's hit is the run of its
// leading blocks present (a prefix: a block's key stands for its content and
// everything before it). A tier with a total read bandwidth serves reads
// first come, first served at that rate, each no faster than its own client's.
#include <cstdint>
#include <list>
#include <unordered_map>
#include <vector>

#include "models/serving/serving_spec.hpp"

namespace v3sim::models {

class PrefixCache {
 public:
  // `block_bytes`: the KV of one block (block tokens x KV bytes per token).
  PrefixCache(std::vector<CacheTier> tiers, double block_bytes);

  struct Hit {
    int blocks = 0;           // leading blocks found
    double seconds = 0;       // reading them, one tier after the other (queueing at shared tiers included)
    double bytes = 0;
  };
  // Looks up and touches the request's leading blocks, read from `now_s` on.
  Hit lookup(const std::vector<std::uint64_t>& blocks, double now_s);
  // A hit the source gives (no blocks): `bytes` read from the last tier (the
  // disk tier holds what the others hold), from `now_s` on.
  Hit read_given(double bytes, double now_s);
  // The request's blocks after its prefill: all present, most recent first.
  void insert(const std::vector<std::uint64_t>& blocks);
  bool enabled() const { return !tiers_.empty(); }

 private:
  struct Tier {
    CacheTier spec;
    std::size_t capacity = 0;  // blocks; 0: unlimited
    std::list<std::uint64_t> lru;  // front: most recent
    double free_at_s = 0;          // a shared tier: when the reads queued so far are done
  };
  struct Where {
    std::size_t tier;
    std::list<std::uint64_t>::iterator at;
  };
  void place(std::uint64_t block, std::size_t tier);
  std::vector<Tier> tiers_;
  std::unordered_map<std::uint64_t, Where> where_;
  double block_bytes_;
};

}  // namespace v3sim::models
