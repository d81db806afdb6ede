#pragma once
// A profiler trace's text: the file read whole, inflated when it is gzip
// (detected by its magic bytes; every member of a concatenated gzip), with
// the limits that keep a hostile file from exhausting memory: a regular file
// only (a device or FIFO would be read without end), and at most
// trace_text_limit() bytes read or inflated. Errors are sim::InputError with
// pointer "" and a message naming the file and what was expected.
#include <cstddef>
#include <string>

namespace v3sim::calibration {

std::string read_trace_text(const std::string& path);

// 2 GiB (a trace's JSON takes several times its text in memory); tests lower it.
std::size_t& trace_text_limit();

}  // namespace v3sim::calibration
