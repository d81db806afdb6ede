#include "models/moe/token_routing.hpp"

#include <algorithm>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <atomic>
#include <future>
#include <thread>
#include <deque>
#include <mutex>
#include <tuple>
#include <type_traits>
#include <cmath>
#include <numeric>
#include <optional>
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

// n = groups x per_group successive outputs of the generator from `state`,
// packed with their index as (output >> 11 << 11) | (2047 - i), and each
// group's largest; returns the state after them. Written per lane (the i-th
// state is state + (i + 1) * gamma) so that the compiler vectorises it; cloned
// for CPUs with 64-bit vector multiplies.
__attribute__((target_clones("arch=x86-64-v4", "default")))
std::uint64_t draw_packed_keys(std::uint64_t state, int groups, int per_group, std::uint64_t* out,
                               std::uint64_t* group_max) {
  constexpr std::uint64_t kGamma = 0x9e3779b97f4a7c15ULL;
  const int n = groups * per_group;
  for (int i = 0; i < n; ++i) {
    std::uint64_t z = state + static_cast<std::uint64_t>(i + 1) * kGamma;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    out[i] = ((z >> 11) << 11) | static_cast<std::uint64_t>(2047 - i);
  }
  for (int g = 0; g < groups; ++g) {
    std::uint64_t best = 0;
    for (int i = g * per_group; i < (g + 1) * per_group; ++i) best = out[i] > best ? out[i] : best;
    group_max[g] = best;
  }
  return state + static_cast<std::uint64_t>(n) * kGamma;
}

// Bit j of the result: p[j] > floor, for j < n <= 64. The compiler does not
// vectorise the mask, so on AVX-512 CPUs it is one compare per 8 keys.
std::uint64_t above_portable(const std::uint64_t* p, int n, std::uint64_t floor) {
  std::uint64_t mask = 0;
  for (int j = 0; j < n; ++j) mask |= static_cast<std::uint64_t>(p[j] > floor) << j;
  return mask;
}
#if defined(__x86_64__)
__attribute__((target("avx512f"))) std::uint64_t above_avx512(const std::uint64_t* p, int n, std::uint64_t floor) {
  const __m512i f = _mm512_set1_epi64(static_cast<long long>(floor));
  std::uint64_t mask = 0;
  int j = 0;
  for (; j + 8 <= n; j += 8)
    mask |= static_cast<std::uint64_t>(_mm512_cmpgt_epu64_mask(_mm512_loadu_si512(p + j), f)) << j;
  for (; j < n; ++j) mask |= static_cast<std::uint64_t>(p[j] > floor) << j;
  return mask;
}
#endif
using AboveFn = std::uint64_t (*)(const std::uint64_t*, int, std::uint64_t);
AboveFn pick_above() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) return above_avx512;
#endif
  return above_portable;
}
const AboveFn above = pick_above();

// Skewed scores from packed keys: out[i] = (key_i >> 11) * 2^-53 * weight[i],
// the same double as Rng::uniform() * weight, and each group's largest.
// Cloned for CPUs that convert 64-bit integers to doubles in vectors.
__attribute__((target_clones("arch=x86-64-v4", "default")))
void skewed_scores(const std::uint64_t* keys, const double* weight, int groups, int per_group, double* out,
                   double* group_max) {
  const int n = groups * per_group;
  for (int i = 0; i < n; ++i) out[i] = static_cast<double>(static_cast<std::int64_t>(keys[i] >> 11)) * 0x1.0p-53 * weight[i];
  for (int g = 0; g < groups; ++g) {
    double best = -1;
    for (int i = g * per_group; i < (g + 1) * per_group; ++i) best = out[i] > best ? out[i] : best;
    group_max[g] = best;
  }
}

// Bit j of the result: p[j] > floor, for j < n <= 64 (doubles).
std::uint64_t above_scores_portable(const double* p, int n, double floor) {
  std::uint64_t mask = 0;
  for (int j = 0; j < n; ++j) mask |= static_cast<std::uint64_t>(p[j] > floor) << j;
  return mask;
}
#if defined(__x86_64__)
__attribute__((target("avx512f"))) std::uint64_t above_scores_avx512(const double* p, int n, double floor) {
  const __m512d f = _mm512_set1_pd(floor);
  std::uint64_t mask = 0;
  int j = 0;
  for (; j + 8 <= n; j += 8)
    mask |= static_cast<std::uint64_t>(_mm512_cmp_pd_mask(_mm512_loadu_pd(p + j), f, _CMP_GT_OQ)) << j;
  for (; j < n; ++j) mask |= static_cast<std::uint64_t>(p[j] > floor) << j;
  return mask;
}
#endif
using AboveScoresFn = std::uint64_t (*)(const double*, int, double);
AboveScoresFn pick_above_scores() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) return above_scores_avx512;
#endif
  return above_scores_portable;
}
const AboveScoresFn above_scores = pick_above_scores();

// Set bits of a mask (a table-free count that needs no POPCNT instruction).
int bits(std::uint64_t m) {
  int n = 0;
  for (; m != 0; m &= m - 1) ++n;
  return n;
}

}  // namespace

namespace {

// One source rank's tokens: its row of tokens_to_rank and tokens_to_node.
// Every source has its own generator, so rows are independent and the draw
// is the same on any number of threads.
class SourceDraw {
 public:
  SourceDraw(const RoutingSpec& s, const TokenRouting& r)
      : s_(s), r_(r), per_group_(s.experts / s.groups), per_rank_(s.experts / s.ranks), weight_(s.experts),
        score_(s.experts), key_(s.experts), group_score_(s.groups), group_key_(s.groups), group_order_(s.groups),
        hit_rank_(r.ranks), hit_node_(r.nodes) {
    for (int e = 0; e < s.experts; ++e) weight_[e] = std::pow(e + 1.0, -s.skew);
    const double candidates = static_cast<double>(s.group_limit) * per_group_;
    const double quantile = 1 - 1.6 * s.topk / candidates;
    prefilter_ = quantile > 0 ? static_cast<std::uint64_t>(std::ldexp(quantile, 64) * (1 - 1e-12)) : 0;
    // The same quantile for skewed scores, taken at the smallest weight
    // (any floor is exact; this one lets about 1.6 k candidates through).
    score_floor_ = quantile > 0 ? quantile * weight_[s.experts - 1] : 0.0;
  }

  void run(int src, std::int64_t* to_rank, std::int64_t* to_node) {
    Rng rng{s_.seed * 0x100000001b3ULL + static_cast<std::uint64_t>(src)};
    const bool packed = s_.skew == 0 && s_.experts <= kPackedExperts;
    for (int t = 0; t < s_.tokens_per_rank; ++t) {
      if (packed)
        draw_packed(rng);
      else if (s_.skew == 0)
        draw_keys(rng);
      else
        draw_scores(rng);
      pick_top(to_rank, to_node);
    }
  }

 private:
  // The common case, without skew and with at most 2^11 experts: a key is
  // 53 bits, so (key << 11) | (2047 - index) fits 64 bits and orders experts
  // by (score desc, index asc) in one unsigned comparison. Same picks as
  // draw_keys, several times faster.
  static constexpr int kPackedExperts = 1 << 11;
  void draw_packed(Rng& rng) {
    packed_.resize(s_.experts);
    group_packed_.resize(s_.groups);
    rng.state = draw_packed_keys(rng.state, s_.groups, per_group_, packed_.data(), group_packed_.data());
    for (int g = 0; g < s_.groups; ++g)
      group_packed_[g] =
          (group_packed_[g] & ~std::uint64_t{kPackedExperts - 1}) | static_cast<std::uint64_t>(kPackedExperts - 1 - g);
    // The best group_limit groups (group_limit is small: selection by scans).
    chosen_.clear();
    for (int i = 0; i < s_.group_limit; ++i) {
      int arg = 0;
      for (int g = 1; g < s_.groups; ++g)
        if (group_packed_[g] > group_packed_[arg]) arg = g;
      chosen_.push_back(arg);
      group_packed_[arg] = 0;
    }
    // Top-k of their experts, kept sorted descending in a k-slot array. The
    // keys are uniform, so about 1.6 k of the candidates pass a floor at the
    // 1 - 1.6 k / candidates quantile; when at least k do, the top k are
    // among them and only they are looked at (a vector compare finds them);
    // otherwise every candidate is. Exact either way.
    const int k = s_.topk;
    masks_.clear();
    int passed = 0;
    for (int g : chosen_)
      for (int b = g * per_group_; b < (g + 1) * per_group_; b += 64) {
        masks_.push_back(above(&packed_[b], std::min(64, (g + 1) * per_group_ - b), prefilter_));
        passed += bits(masks_.back());
      }
    const bool filtered = passed >= k;
    best_.assign(k, 0);
    std::uint64_t floor = 0;
    std::size_t block = 0;
    for (int g : chosen_)
      for (int b = g * per_group_; b < (g + 1) * per_group_; b += 64, ++block) {
        const int n = std::min(64, (g + 1) * per_group_ - b);
        std::uint64_t m = filtered ? masks_[block] : (n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1);
        for (; m != 0; m &= m - 1) {
          const std::uint64_t c = packed_[b + __builtin_ctzll(m)];
          if (c <= floor) continue;
          int j = k - 1;
          for (; j > 0 && best_[j - 1] < c; --j) best_[j] = best_[j - 1];
          best_[j] = c;
          floor = best_[k - 1];
        }
      }
    top_.clear();
    for (std::uint64_t c : best_) top_.push_back(kPackedExperts - 1 - static_cast<int>(c & (kPackedExperts - 1)));
  }

  // Without skew a score is uniform() = (next() >> 11) * 2^-53, a monotone
  // map of the 53-bit integer: comparing the integers orders (and ties) the
  // experts exactly as the doubles would, without converting.
  void draw_keys(Rng& rng) {
    for (int g = 0, e = 0; g < s_.groups; ++g) {
      std::uint64_t best = 0;
      for (int i = 0; i < per_group_; ++i, ++e) best = std::max(best, key_[e] = rng.next() >> 11);
      group_key_[g] = best;
    }
    select(key_, group_key_);
  }
  // With skew a score is uniform() x weight. Up to 2^11 experts the
  // generator's outputs come from the vectorised draw_packed_keys (the same
  // stream: its i-th output is the i-th next()), so the scores are the same
  // doubles as one uniform() at a time; the top-k then only looks at scores
  // above a floor when at least k candidates pass it (exact either way).
  void draw_scores(Rng& rng) {
    if (s_.experts > kPackedExperts) {
      for (int g = 0, e = 0; g < s_.groups; ++g) {
        double best = -1;
        for (int i = 0; i < per_group_; ++i, ++e) best = std::max(best, score_[e] = rng.uniform() * weight_[e]);
        group_score_[g] = best;
      }
      select(score_, group_score_);
      return;
    }
    packed_.resize(s_.experts);
    group_packed_.resize(s_.groups);
    rng.state = draw_packed_keys(rng.state, s_.groups, per_group_, packed_.data(), group_packed_.data());
    skewed_scores(packed_.data(), weight_.data(), s_.groups, per_group_, score_.data(), group_score_.data());
    select(score_, group_score_, std::optional<double>(score_floor_));
  }

  // The best group_limit groups, then the top-k of their experts, both by
  // (score desc, index asc); the k best are kept sorted in top_. With a
  // `floor`, only candidates above it are ranked when at least k pass it
  // (then the top k are among them); otherwise every candidate is.
  template <typename T>
  void select(const std::vector<T>& score, const std::vector<T>& group, std::optional<T> floor = std::nullopt) {
    std::iota(group_order_.begin(), group_order_.end(), 0);
    std::partial_sort(group_order_.begin(), group_order_.begin() + s_.group_limit, group_order_.end(),
                      [&](int a, int b) { return group[a] != group[b] ? group[a] > group[b] : a < b; });
    auto better = [&](int a, int b) { return score[a] != score[b] ? score[a] > score[b] : a < b; };
    candidates_.clear();
    for (int i = 0; i < s_.group_limit; ++i) {
      const int first = group_order_[i] * per_group_, end = first + per_group_;
      if constexpr (std::is_same_v<T, double>) {
        if (floor) {  // a vector compare per 64 candidates
          for (int b = first; b < end; b += 64)
            for (std::uint64_t m = above_scores(&score[b], std::min(64, end - b), *floor); m != 0; m &= m - 1)
              candidates_.push_back(b + __builtin_ctzll(m));
          continue;
        }
      }
      for (int e = first; e < end; ++e)
        if (!floor || score[e] > *floor) candidates_.push_back(e);
    }
    if (floor && static_cast<int>(candidates_.size()) < s_.topk) return select(score, group);
    top_.clear();
    for (int e : candidates_) {
      if (static_cast<int>(top_.size()) == s_.topk && !better(e, top_.back())) continue;
      if (static_cast<int>(top_.size()) == s_.topk) top_.pop_back();
      top_.insert(std::upper_bound(top_.begin(), top_.end(), e, better), e);
    }
  }

  void pick_top(std::int64_t* to_rank, std::int64_t* to_node) {
    touched_ranks_.clear();
    touched_nodes_.clear();
    for (int e : top_) {
      const int rank = e / per_rank_, node = rank / r_.ranks_per_node;
      if (!hit_rank_[rank]) touched_ranks_.push_back(rank);
      if (!hit_node_[node]) touched_nodes_.push_back(node);
      hit_rank_[rank] = hit_node_[node] = 1;
    }
    for (int d : touched_ranks_) {
      ++to_rank[d];
      hit_rank_[d] = 0;
    }
    for (int n : touched_nodes_) {
      ++to_node[n];
      hit_node_[n] = 0;
    }
  }

  const RoutingSpec& s_;
  const TokenRouting& r_;
  int per_group_, per_rank_;
  std::vector<double> weight_, score_;
  std::vector<std::uint64_t> key_;
  std::vector<double> group_score_;
  std::vector<std::uint64_t> group_key_;
  std::vector<int> group_order_, top_, touched_ranks_, touched_nodes_, chosen_, candidates_;
  std::vector<std::uint64_t> packed_, group_packed_, best_, masks_;
  std::uint64_t prefilter_ = 0;  // packed keys above it pass the first look
  double score_floor_ = 0;       // skewed scores above it pass the first look
  std::vector<char> hit_rank_, hit_node_;
};

}  // namespace

TokenRouting route_tokens(const RoutingSpec& s, int threads) {
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

  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::clamp(threads, 1, s.ranks);
  std::atomic<int> next{0};
  auto worker = [&] {
    SourceDraw draw(s, r);
    for (int src; (src = next.fetch_add(1)) < s.ranks;)
      draw.run(src, &r.tokens_to_rank[static_cast<std::size_t>(src) * r.ranks],
               &r.tokens_to_node[static_cast<std::size_t>(src) * r.nodes]);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  return r;
}

std::shared_ptr<const TokenRouting> route_tokens_memoised(const RoutingSpec& s) {
  using Key = std::tuple<int, int, int, int, int, int, int, double, std::uint64_t>;
  using Shared = std::shared_future<std::shared_ptr<const TokenRouting>>;
  static std::mutex mutex;
  static std::deque<std::pair<Key, Shared>> recent;
  constexpr std::size_t kKept = 8;
  const Key key{s.ranks, s.ranks_per_node, s.tokens_per_rank, s.experts, s.topk, s.groups, s.group_limit, s.skew, s.seed};
  std::promise<std::shared_ptr<const TokenRouting>> promise;
  {
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& [k, f] : recent)
      if (k == key) return f.get();  // drawn, or being drawn by another thread: wait for it
    recent.emplace_back(key, promise.get_future().share());
    if (recent.size() > kKept) recent.pop_front();
  }
  try {
    auto r = std::make_shared<const TokenRouting>(route_tokens(s));
    promise.set_value(r);
    return r;
  } catch (...) {
    promise.set_exception(std::current_exception());
    throw;
  }
}

}  // namespace v3sim::models
