#pragma once
// What the probes record about the GPU they ran on, and the no-GPU exit.
#include <cstddef>
#include <cstdint>
#include <string>

#include "json_writer.hpp"

namespace v3sim::probes {

struct DeviceInfo {
  int index = 0;
  std::string name;
  int sms = 0;
  int cc_major = 0;
  int cc_minor = 0;
  std::int64_t memory_bytes = 0;
  std::int64_t l2_bytes = 0;
  int sm_clock_khz = 0;
  int memory_clock_khz = 0;
  int memory_bus_bits = 0;
  int gpus = 0;  // visible GPUs
  std::size_t shared_memory_per_sm = 0;
  std::size_t shared_memory_per_block_optin = 0;
  int driver_version = 0;
  int runtime_version = 0;
  std::int64_t cublaslt_version = 0;
};

// The number of visible GPUs. When cudaGetDeviceCount fails or finds none,
// prints one line to stderr and exits with code 3, before any file is written.
int require_gpus(const std::string& program);

DeviceInfo query_device(int device, int gpus);

// The "device" and "versions" objects of the output format.
JsonObject device_json(const DeviceInfo& d);
JsonObject versions_json(const DeviceInfo& d);

}  // namespace v3sim::probes
