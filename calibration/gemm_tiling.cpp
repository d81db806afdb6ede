#include "calibration/gemm_tiling.hpp"

#include <array>

namespace v3sim::calibration {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// block_n candidates: 16 to 128 in steps of 8 (WGMMA's N granularity), plus
// 160, DeepGEMM's list when the reference table was measured (config.py's
// range(16, 129, 8) and the 128 x 160 tile of its pull request #74, March
// 2025); later versions added 144 and block_m 256.
constexpr std::array<int, 16> kBlockNs = {16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128, 160};

std::int64_t last_wave_tiles(const GemmTiling& t, int sms) {
  const std::int64_t rest = t.tiles % sms;
  return rest == 0 ? sms : rest;
}

}  // namespace

GemmTiling make_tiling(const GemmShape& g, int block_m, int block_n, int sms) {
  GemmTiling t;
  t.block_m = block_m;
  t.block_n = block_n;
  t.tiles = static_cast<std::int64_t>(g.groups) * ceil_div(g.m, block_m) * ceil_div(g.n, block_n);
  t.waves = ceil_div(t.tiles, sms);
  return t;
}

GemmTiling choose_tiling(const GemmShape& g, int sms) {
  const int block_m = (g.groups > 1 || g.m > 64) ? 128 : 64;
  GemmTiling best = make_tiling(g, block_m, kBlockNs.front(), sms);
  for (int block_n : kBlockNs) {
    const GemmTiling t = make_tiling(g, block_m, block_n, sms);
    // Candidates come in increasing block_n, so strict comparisons keep the
    // smallest block_n among equals.
    if (t.waves < best.waves || (t.waves == best.waves && last_wave_tiles(t, sms) > last_wave_tiles(best, sms)))
      best = t;
  }
  return best;
}

}  // namespace v3sim::calibration
