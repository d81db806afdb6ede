#include "models/inference/expert_load.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace v3sim::models {

std::vector<std::vector<double>> expected_shares(const ExpertLoadSpec& load, int experts, int moe_layers) {
  std::vector<std::vector<double>> out(static_cast<std::size_t>(moe_layers));
  for (int l = 0; l < moe_layers; ++l) {
    std::vector<double>& row = out[static_cast<std::size_t>(l)];
    switch (load.kind) {
      case LoadKind::kUniform: row.assign(static_cast<std::size_t>(experts), 1.0); break;
      case LoadKind::kZipf: {
        // Which experts are popular differs from layer to layer but not from
        // draw to draw: a permutation fixed by the layer index.
        std::vector<int> rank(static_cast<std::size_t>(experts));
        std::iota(rank.begin(), rank.end(), 0);
        std::mt19937_64 rng(0x5eed0000ULL + static_cast<std::uint64_t>(l));
        for (int i = experts - 1; i > 0; --i) std::swap(rank[static_cast<std::size_t>(i)], rank[rng() % static_cast<std::uint64_t>(i + 1)]);
        row.resize(static_cast<std::size_t>(experts));
        for (int e = 0; e < experts; ++e) row[static_cast<std::size_t>(e)] = std::pow(rank[static_cast<std::size_t>(e)] + 1.0, -load.exponent);
        break;
      }
      case LoadKind::kFile: row = load.file_counts[load.file_counts.size() == 1 ? 0 : static_cast<std::size_t>(l)]; break;
    }
    const double sum = std::accumulate(row.begin(), row.end(), 0.0);
    for (double& x : row) x /= sum;
  }
  return out;
}

std::vector<std::vector<double>> draw_counts(const std::vector<std::vector<double>>& shares, double tokens, int topk,
                                             bool shared_routed, bool noise, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<double>> out;
  out.reserve(shares.size());
  const double copies = tokens * topk;
  for (const std::vector<double>& p : shares) {
    std::vector<double> row(p.size());
    if (!noise) {
      for (std::size_t e = 0; e < p.size(); ++e) row[e] = copies * p[e];
    } else {
      // Multinomial as a chain of binomials over the remaining copies.
      auto left = static_cast<std::int64_t>(std::llround(copies));
      double mass = 1.0;
      for (std::size_t e = 0; e < p.size() && left > 0; ++e) {
        const double q = e + 1 == p.size() ? 1.0 : std::clamp(p[e] / mass, 0.0, 1.0);
        const std::int64_t k = q >= 1.0 ? left : std::binomial_distribution<std::int64_t>(left, q)(rng);
        row[e] = static_cast<double>(k);
        left -= k;
        mass -= p[e];
      }
    }
    if (shared_routed) row.push_back(tokens);
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace v3sim::models
