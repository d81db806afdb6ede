#include "models/serving/prefix_cache.hpp"

#include <algorithm>
#include <cmath>

namespace v3sim::models {

PrefixCache::PrefixCache(std::vector<CacheTier> tiers, double block_bytes) : block_bytes_(block_bytes) {
  for (CacheTier& t : tiers) {
    Tier x;
    x.capacity = t.capacity_bytes > 0 ? std::max<std::size_t>(1, static_cast<std::size_t>(t.capacity_bytes / block_bytes)) : 0;
    x.spec = std::move(t);
    tiers_.push_back(std::move(x));
  }
}

// Puts `block` at the front of `tier`, pushing the tier's least recent block
// down to the next tier (or out of the last).
void PrefixCache::place(std::uint64_t block, std::size_t tier) {
  while (tier < tiers_.size()) {
    Tier& t = tiers_[tier];
    t.lru.push_front(block);
    where_[block] = Where{tier, t.lru.begin()};
    if (t.capacity == 0 || t.lru.size() <= t.capacity) return;
    block = t.lru.back();
    t.lru.pop_back();
    where_.erase(block);
    ++tier;
  }
}

PrefixCache::Hit PrefixCache::lookup(const std::vector<std::uint64_t>& blocks, double now_s) {
  Hit h;
  std::vector<std::uint64_t> found;
  std::vector<double> tier_bytes(tiers_.size(), 0);
  for (std::uint64_t b : blocks) {
    const auto it = where_.find(b);
    if (it == where_.end()) break;
    const Where w = it->second;
    tier_bytes[w.tier] += block_bytes_;
    tiers_[w.tier].lru.erase(w.at);
    where_.erase(it);
    found.push_back(b);
  }
  h.blocks = static_cast<int>(found.size());
  h.bytes = h.blocks * block_bytes_;
  // Each tier's part after the previous one's, at the client's rate, and
  // at a shared tier behind the reads queued before it.
  double at = now_s;
  for (std::size_t i = 0; i < tiers_.size(); ++i) {
    if (tier_bytes[i] <= 0) continue;
    Tier& t = tiers_[i];
    double end = at + tier_bytes[i] / t.spec.read_bytes_per_s;
    if (t.spec.total_read_bytes_per_s > 0) {
      t.free_at_s = std::max(at, t.free_at_s) + tier_bytes[i] / t.spec.total_read_bytes_per_s;
      end = std::max(end, t.free_at_s);
    }
    at = end;
  }
  h.seconds = at - now_s;
  // Read back into the first tier, the request's first block most recent.
  for (auto b = found.rbegin(); b != found.rend(); ++b) place(*b, 0);
  return h;
}

PrefixCache::Hit PrefixCache::read_given(double bytes, double now_s) {
  Hit h;
  h.bytes = bytes;
  if (tiers_.empty() || bytes <= 0) return h;
  Tier& t = tiers_.back();
  double end = now_s + bytes / t.spec.read_bytes_per_s;
  if (t.spec.total_read_bytes_per_s > 0) {
    t.free_at_s = std::max(now_s, t.free_at_s) + bytes / t.spec.total_read_bytes_per_s;
    end = std::max(end, t.free_at_s);
  }
  h.seconds = end - now_s;
  return h;
}

void PrefixCache::insert(const std::vector<std::uint64_t>& blocks) {
  if (tiers_.empty()) return;
  for (auto b = blocks.rbegin(); b != blocks.rend(); ++b) {
    const auto it = where_.find(*b);
    if (it != where_.end()) {
      tiers_[it->second.tier].lru.erase(it->second.at);
      where_.erase(it);
    }
    place(*b, 0);
  }
}

}  // namespace v3sim::models
