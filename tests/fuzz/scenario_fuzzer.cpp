// libFuzzer target: scenario loading, validation and simulation.
#include "tests/fuzz/fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  v3sim::fuzz::scenario_bytes(data, size);
  return 0;
}
