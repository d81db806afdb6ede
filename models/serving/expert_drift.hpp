#pragma once
// How the experts' load moves over a day (docs/fleet.md, "Expert
// re-planning"): every expert of every MoE layer has its base share (the
// scenario's expert_load) times exp(x), renormalised per layer, where x is an
// Ornstein-Uhlenbeck process of its own, dx = -x / tau dt + sigma dW (sigma
// per square-root hour, tau the reversion time; tau = 0: a random walk).
// Stepped exactly: the transition over dt is Gaussian with mean
// x e^(-dt/tau) and variance sigma^2 tau / 2 (1 - e^(-2 dt/tau)). With
// reversion the process starts in its stationary law, N(0, sigma^2 tau / 2);
// without, at 0 (the base load).
#include <cstdint>
#include <random>
#include <vector>

namespace v3sim::models {

struct DriftSpec {
  double sigma_per_sqrt_h = 0;
  double reversion_h = 0;  // 0: none
  std::uint64_t seed = 1;
};

class ExpertDrift {
 public:
  // base[layer][expert]: each row's shares (any positive scale).
  ExpertDrift(std::vector<std::vector<double>> base, const DriftSpec& spec);
  // Moves every expert's x forward by `dt_h` hours.
  void advance(double dt_h);
  // The shares now, each row summing to 1.
  std::vector<std::vector<double>> shares() const;
  // Every expert's x, by layer then expert.
  const std::vector<std::vector<double>>& offsets() const { return x_; }

 private:
  std::vector<std::vector<double>> base_, x_;
  DriftSpec spec_;
  std::mt19937_64 rng_;
};

}  // namespace v3sim::models
