#pragma once
// What the fuzzers exercise, as plain functions so that the test suite can
// replay the regression corpus through the same code. Each takes untrusted
// bytes and must end in one of the promised ways: the input is accepted, or it
// is refused as bad input (the CLI's exit 2), or the simulation reports a
// deadlock (exit 1). Anything else (another exception, a crash, a sanitizer
// report) is a finding.
#include <cstddef>
#include <cstdint>

namespace v3sim::fuzz {

// Bytes as a scenario file: strict JSON, parse, size limits (tight, so each
// input runs in milliseconds), then the simulation with every output rendered.
void scenario_bytes(const std::uint8_t* data, std::size_t size);

// Bytes as a study file over a fixed small base scenario: parse, axis checks,
// and a few points built and parsed.
void study_bytes(const std::uint8_t* data, std::size_t size);

}  // namespace v3sim::fuzz
