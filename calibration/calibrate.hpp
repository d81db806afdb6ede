#pragma once
// `v3sim calibrate`: fits the cost model's parameters to probe files and
// reports every case, fitted or held out. Which cases are held out, and why,
// is in docs/calibration.md.
#include <string>
#include <vector>

#include "calibration/probe_file.hpp"
#include "calibration/profile.hpp"

namespace v3sim::calibration {

struct CalibrationCase {
  std::string group;  // "gemm", "comm", "hbm", "interference"
  std::string label;
  double measured = 0;   // seconds (interference: the measured slowdown factor)
  double predicted = 0;
  bool fitted = true;    // false: held out
  double relative_error() const { return (predicted - measured) / measured; }
};

struct CalibrationResult {
  Profile profile;
  std::vector<CalibrationCase> cases;
  std::vector<std::string> notes;  // what was not measured and kept from the base profile
};

// `device`: the peaks of the GPU the files were measured on (from a hardware
// preset; the probes record the SM count). Throws std::invalid_argument when
// the files cannot determine a fit.
CalibrationResult calibrate(const std::vector<ProbeFile>& files, const DeviceRates& device, const Profile& base,
                            const std::string& name, const std::string& hardware);

}  // namespace v3sim::calibration
