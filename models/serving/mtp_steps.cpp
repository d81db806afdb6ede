#include "models/serving/mtp_steps.hpp"

#include <algorithm>
#include <cmath>

namespace v3sim::models {

long long decode_steps(long long tokens, int depth, double a, std::mt19937_64& rng) {
  long long steps = 0, left = tokens;
  std::bernoulli_distribution accept(a);
  while (left > 0) {
    const long long m = left / (depth + 1);
    if (m <= 1) {
      int made = 1;
      for (int k = 0; k < depth && accept(rng); ++k) ++made;
      ++steps;
      left -= made;
      continue;
    }
    long long rest = m, made = m;
    double mass = 1;
    for (int j = 0; j < depth && rest > 0; ++j) {
      const double p = std::pow(a, j) * (1 - a);  // j drafts accepted, the next refused
      const long long c = p >= mass ? rest : std::binomial_distribution<long long>(rest, std::clamp(p / mass, 0.0, 1.0))(rng);
      made += j * c;
      rest -= c;
      mass -= p;
    }
    made += static_cast<long long>(depth) * rest;  // every draft accepted
    steps += m;
    left -= made;
  }
  return steps;
}

}  // namespace v3sim::models
