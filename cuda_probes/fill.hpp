#pragma once
// Fresh pseudo-random inputs for every case, without cuRAND: element i gets a
// value from a hash of (i, seed), uniform in [-scale, scale). Random data
// matters for GEMMs: tensor-core power, and so clocks, depend on the bits.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace v3sim::probes {

void fill_bf16(void* dst, std::size_t count, std::uint32_t seed, float scale, cudaStream_t stream);
void fill_fp8_e4m3(void* dst, std::size_t count, std::uint32_t seed, float scale, cudaStream_t stream);
void fill_f32(float* dst, std::size_t count, std::uint32_t seed, float low, float high, cudaStream_t stream);

}  // namespace v3sim::probes
