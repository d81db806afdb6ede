#pragma once
// How a GEMM is cut into output tiles, and how many waves of tiles its SMs
// run. A persistent Hopper GEMM kernel gives each SM one tile at a time, so a
// GEMM of `tiles` tiles on `sms` SMs takes ceil(tiles / sms) tile times: the
// last wave costs a full tile time even when it is nearly empty.
#include <cstdint>

#include "calibration/cost_model.hpp"

namespace v3sim::calibration {

struct GemmTiling {
  int block_m = 0;
  int block_n = 0;
  std::int64_t tiles = 0;  // groups * ceil(m / block_m) * ceil(n / block_n)
  std::int64_t waves = 0;  // ceil(tiles / sms)
};

// The tiling with the given block sizes on `sms` SMs (sms >= 1).
GemmTiling make_tiling(const GemmShape& g, int block_m, int block_n, int sms);

// The tiling the kernel library picks on `sms` SMs. Modelled on DeepGEMM's
// heuristic, because the published table was measured with it: block_m is 64
// for m <= 64, else 128 (128 for every grouped GEMM: the contiguous layout
// aligns each group's rows to 128); block_n is the candidate with the fewest
// waves, then the fullest last wave, then the smallest block_n.
GemmTiling choose_tiling(const GemmShape& g, int sms);

}  // namespace v3sim::calibration
