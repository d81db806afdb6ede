#pragma once
// A small SVG line chart: series of y over a shared x, a y axis from zero
// with round ticks, a legend. For the serving report's plots over time.
#include <string>
#include <vector>

namespace v3sim::report {

struct LineSeries {
  std::string name;
  std::vector<double> y;
};

std::string line_chart(const std::string& title, const std::string& x_label, const std::vector<double>& x,
                       const std::vector<LineSeries>& series, const std::string& y_label);

}  // namespace v3sim::report
