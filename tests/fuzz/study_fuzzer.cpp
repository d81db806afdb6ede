// libFuzzer target: study parsing and lazy expansion.
#include "tests/fuzz/fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  v3sim::fuzz::study_bytes(data, size);
  return 0;
}
