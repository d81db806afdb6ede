#include "device_info.hpp"

#include <cstdio>
#include <cstdlib>

#include "check.hpp"

namespace v3sim::probes {

int require_gpus(const std::string& program) {
  int count = 0;
  const cudaError_t error = cudaGetDeviceCount(&count);
  if (error != cudaSuccess || count == 0) {
    const char* why = error != cudaSuccess ? cudaGetErrorString(error) : "no devices";
    std::fprintf(stderr,
                 "%s: no CUDA GPU available (cudaGetDeviceCount: %s); run the probes on a machine with an NVIDIA GPU\n",
                 program.c_str(), why);
    std::exit(3);
  }
  return count;
}

DeviceInfo query_device(int device, int gpus) {
  cudaDeviceProp p{};
  CUDA_CHECK(cudaGetDeviceProperties(&p, device));
  DeviceInfo d;
  d.index = device;
  d.name = p.name;
  d.sms = p.multiProcessorCount;
  d.cc_major = p.major;
  d.cc_minor = p.minor;
  d.memory_bytes = static_cast<std::int64_t>(p.totalGlobalMem);
  d.l2_bytes = p.l2CacheSize;
  d.memory_bus_bits = p.memoryBusWidth;
  d.shared_memory_per_sm = p.sharedMemPerMultiprocessor;
  d.shared_memory_per_block_optin = p.sharedMemPerBlockOptin;
  // CUDA 13 dropped the clock fields from cudaDeviceProp; the attributes remain.
  CUDA_CHECK(cudaDeviceGetAttribute(&d.sm_clock_khz, cudaDevAttrClockRate, device));
  CUDA_CHECK(cudaDeviceGetAttribute(&d.memory_clock_khz, cudaDevAttrMemoryClockRate, device));
  d.gpus = gpus;
  CUDA_CHECK(cudaDriverGetVersion(&d.driver_version));
  CUDA_CHECK(cudaRuntimeGetVersion(&d.runtime_version));
  d.cublaslt_version = static_cast<std::int64_t>(cublasLtGetVersion());
  return d;
}

JsonObject device_json(const DeviceInfo& d) {
  JsonObject j;
  j.add("name", d.name)
      .add("sms", d.sms)
      .add("compute_capability", std::to_string(d.cc_major) + "." + std::to_string(d.cc_minor))
      .add("memory_bytes", d.memory_bytes)
      .add("l2_bytes", d.l2_bytes)
      .add("sm_clock_khz", d.sm_clock_khz)
      .add("memory_clock_khz", d.memory_clock_khz)
      .add("memory_bus_bits", d.memory_bus_bits)
      .add("gpus", d.gpus);
  return j;
}

JsonObject versions_json(const DeviceInfo& d) {
  JsonObject j;
  j.add("driver", d.driver_version).add("runtime", d.runtime_version).add("cublaslt", d.cublaslt_version);
  return j;
}

}  // namespace v3sim::probes
