#pragma once
// One chart of a sweep's report.html: a field against an axis, one series
// per combination of the other axes' values. A numeric axis is drawn as
// lines over evenly spaced points in the listed order; a categorical or
// boolean axis as grouped bars (its values have no order to draw a line
// through). Y ticks are round numbers with the field's unit; every series
// has its own colour (no colour repeats within a chart) and a legend entry;
// the best point is ringed only on the chart of the objective it is best for.
#include <string>
#include <vector>

#include "models/study/point_result.hpp"
#include "models/study/study.hpp"

namespace v3sim::report {

// The unit a field's name states: "/step_time_ms" -> "ms", "_s" -> "s",
// "_gb" -> "GB (10^9 bytes)", "fraction" -> "fraction"; empty when none.
std::string field_unit(const std::string& field);

// n distinct colours: a fixed palette of 10, then evenly spaced hues.
std::vector<std::string> chart_palette(std::size_t n);

// Whether every value of the axis is a number (else it is drawn as bars).
bool numeric_axis(const models::StudyAxis& axis);

// The chart of field `f` against axis `a`; `best` is the best row's index
// (rows.size(): none), ringed only when `f` is the objective field. Empty
// when no row has a number for the field.
std::string sweep_chart(const models::Study& s, const std::vector<models::PointResult>& rows, std::size_t f,
                        std::size_t a, std::size_t best);

}  // namespace v3sim::report
