#pragma once
// How the probes make "B thread blocks" mean "B SMs" for their own kernels
// (dispatch, combine, copy): persistent grid-stride loops over exactly B blocks
// of 1024 threads, each block reserving more than half an SM's shared memory,
// so no SM can hold two of them (nor a GEMM block beside one, since those need
// most of an SM's shared memory too). Occupancy: one block, 32 warps, per SM.
#include <cstddef>

namespace v3sim::probes {

constexpr int kSmBoundThreads = 1024;

struct SmBoundLaunch {
  int blocks = 0;
  std::size_t shared_bytes = 0;  // dynamic shared memory per block (reserved, unused)
};

// Half an SM's shared memory plus 1 KiB, capped at what one block may opt into.
inline std::size_t one_block_per_sm_shared_bytes(std::size_t per_sm, std::size_t per_block_optin) {
  const std::size_t wanted = per_sm / 2 + 1024;
  return wanted < per_block_optin ? wanted : per_block_optin;
}

}  // namespace v3sim::probes
