#include "report.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace v3sim::probes {
namespace {

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

}  // namespace

Report::Report(std::string probe, const ProbeArgs& args, const DeviceInfo& device) {
  header_.add("format", "v3sim-probes/1")
      .add("probe", probe)
      .add("date", utc_now())
      .add("host", host_name())
      .add("device", device_json(device))
      .add("versions", versions_json(device))
      .add("repeats", args.repeats)
      .add("warmup", args.warmup);
}

void Report::note(std::string text) { notes_.push_back(json_quote(text)); }

void Report::add_case(const JsonObject& c) { cases_.push_back(c.inline_text()); }

std::string Report::text() const {
  JsonObject doc = header_;
  doc.add_raw("notes", json_lines_array(notes_, 2)).add_raw("cases", json_lines_array(cases_, 2));
  return doc.block_text(0) + "\n";
}

void Report::write(const std::string& path) const {
  const std::string temporary = path + ".tmp";
  std::FILE* f = std::fopen(temporary.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("cannot write " + temporary + ": " + std::strerror(errno));
  const std::string body = text();
  const bool written = std::fwrite(body.data(), 1, body.size(), f) == body.size();
  if (std::fclose(f) != 0 || !written) {
    std::remove(temporary.c_str());
    throw std::runtime_error("cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw std::runtime_error("cannot rename " + temporary + " to " + path + ": " + std::strerror(errno));
  }
}

}  // namespace v3sim::probes
