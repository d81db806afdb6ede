#include "calibration/trace_text.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "sim/json_reader.hpp"

namespace v3sim::calibration {
namespace {

std::string read_bytes(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    throw sim::InputError("", path + ": not a regular file (a directory, device, FIFO or socket), expected a profiler trace");
  errno = 0;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw sim::InputError("", "cannot open profiler trace " + path + ": " + std::strerror(errno));
  std::string bytes;
  char buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
    bytes.append(buf, n);
    if (bytes.size() > trace_text_limit())
      throw sim::InputError("", path + ": larger than " + std::to_string(trace_text_limit() >> 20) + " MiB, the limit of a trace");
  }
  if (std::ferror(f.get()))
    throw sim::InputError("", "cannot read profiler trace " + path + ": " + std::strerror(errno));
  return bytes;
}

bool is_gzip(const std::string& bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

// Inflates every gzip member (gzip -c a b > c concatenates members).
std::string gunzip(const std::string& bytes, const std::string& path) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw sim::InputError("", path + ": cannot start zlib");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, &inflateEnd);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  zs.avail_in = static_cast<uInt>(bytes.size());
  if (bytes.size() != zs.avail_in)
    throw sim::InputError("", path + ": gzip file over 4 GiB (expected a smaller trace)");
  std::string out;
  char buf[1 << 16];
  for (;;) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
    // A gzip may expand without bound (a few KiB to terabytes): stop at the limit of a trace's text.
    if (out.size() > trace_text_limit())
      throw sim::InputError("", path + ": gzip data expands past " + std::to_string(trace_text_limit() >> 20) +
                                    " MiB, the limit of a trace's text");
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) return out;
      inflateReset(&zs);
    } else if (rc == Z_BUF_ERROR || (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0)) {
      throw sim::InputError("", path + ": truncated gzip file (the compressed data stops after " +
                                    std::to_string(bytes.size()) +
                                    " bytes, before the end of its stream; expected a "
                                    "complete gzip file)");
    } else if (rc != Z_OK) {
      throw sim::InputError("", path + ": corrupt gzip data (" + std::string(zs.msg ? zs.msg : "zlib error") + ")");
    }
  }
}

}  // namespace

std::size_t& trace_text_limit() {
  static std::size_t limit = std::size_t{2} << 30;
  return limit;
}

std::string read_trace_text(const std::string& path) {
  std::string bytes = read_bytes(path);
  return is_gzip(bytes) ? gunzip(bytes, path) : bytes;
}

}  // namespace v3sim::calibration
