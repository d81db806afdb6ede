#pragma once
// A device-to-device copy on a chosen number of SMs (sm_bound.hpp), for the
// HBM bandwidth each SM count can drive: 16-byte loads, four in flight per
// thread, grid-stride over the buffer.
#include <cuda_runtime_api.h>

#include <cstddef>

#include "sm_bound.hpp"

namespace v3sim::probes {

// `bytes` must be a multiple of 16 and both pointers 16-byte aligned.
void launch_copy(void* dst, const void* src, std::size_t bytes, const SmBoundLaunch& launch, cudaStream_t stream);

}  // namespace v3sim::probes
