#pragma once

namespace v3sim::sim {

// Asks the C library's allocator to keep the memory a simulation frees for
// the next one. A step graph holds vectors of megabytes; by default glibc
// hands blocks that large straight back to the kernel (mmap, munmap) and
// trims the heap's top, so every simulation pays page faults to touch fresh
// pages again: measured, more than half of an EP144 decode step's time
// (BM_DecodeStepEp144 155 ms -> 69 ms with this call; docs/benchmarks.md).
// The cost is resident memory kept after a peak, up to the limits set here.
// Call once, at the start of a program that runs many simulations; a no-op
// where the C library is not glibc.
void keep_freed_memory();

}  // namespace v3sim::sim
