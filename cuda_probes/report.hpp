#pragma once
// One probe's output file (format "v3sim-probes/1", README.md): the header
// (probe, date, host, device, versions, run counts, notes) and the cases.
#include <string>
#include <vector>

#include "args.hpp"
#include "device_info.hpp"
#include "json_writer.hpp"

namespace v3sim::probes {

class Report {
 public:
  Report(std::string probe, const ProbeArgs& args, const DeviceInfo& device);

  // A sentence for "notes": how the numbers were taken, what they mean.
  void note(std::string text);
  void add_case(const JsonObject& c);
  std::size_t cases() const { return cases_.size(); }

  std::string text() const;
  // Writes PATH.tmp, then renames it to PATH: an interrupted run leaves no
  // half-written file under the final name. Throws std::runtime_error.
  void write(const std::string& path) const;

 private:
  JsonObject header_;
  std::vector<std::string> notes_;
  std::vector<std::string> cases_;
};

}  // namespace v3sim::probes
