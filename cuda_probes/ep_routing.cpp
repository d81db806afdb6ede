#include "ep_routing.hpp"

#include <numeric>
#include <random>
#include <stdexcept>

namespace v3sim::probes {

EpRouting make_routing(int tokens, int topk, int experts, std::uint64_t seed) {
  if (tokens < 1 || topk < 1 || topk > experts)
    throw std::invalid_argument("make_routing: bad tokens, topk or experts");
  EpRouting r;
  r.tokens = tokens;
  r.topk = topk;
  r.experts = experts;
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<float> gate(0.05f, 1.0f);
  std::vector<std::int32_t> choice(static_cast<std::size_t>(tokens) * topk);
  r.weight.resize(choice.size());
  std::vector<std::int32_t> pool(static_cast<std::size_t>(experts));
  std::iota(pool.begin(), pool.end(), 0);
  r.rows_per_expert.assign(static_cast<std::size_t>(experts), 0);
  for (int t = 0; t < tokens; ++t) {
    float sum = 0;
    for (int k = 0; k < topk; ++k) {  // a partial Fisher-Yates shuffle: distinct experts
      std::uniform_int_distribution<int> pick(k, experts - 1);
      std::swap(pool[static_cast<std::size_t>(k)], pool[static_cast<std::size_t>(pick(random))]);
      const std::size_t i = static_cast<std::size_t>(t) * topk + k;
      choice[i] = pool[static_cast<std::size_t>(k)];
      ++r.rows_per_expert[static_cast<std::size_t>(choice[i])];
      r.weight[i] = gate(random);
      sum += r.weight[i];
    }
    for (int k = 0; k < topk; ++k) r.weight[static_cast<std::size_t>(t) * topk + k] /= sum;
  }
  std::vector<std::int32_t> next(static_cast<std::size_t>(experts), 0);  // first free row of each expert
  std::partial_sum(r.rows_per_expert.begin(), r.rows_per_expert.end() - 1, next.begin() + 1);
  r.row.resize(choice.size());
  for (std::size_t i = 0; i < choice.size(); ++i) r.row[i] = next[static_cast<std::size_t>(choice[i])]++;
  return r;
}

}  // namespace v3sim::probes
