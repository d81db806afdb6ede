#pragma once
// A study's results as files: results.json, results.csv and report.html (SVG
// line charts of each field against each axis, the best point highlighted).
// Rows must come sorted by point index; the output depends on nothing else,
// so a threaded or an MPI sweep writes the same bytes as a sequential one.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/study/point_result.hpp"
#include "models/study/study.hpp"

namespace v3sim::report {

nlohmann::json study_results_json(const models::Study& study, const std::vector<models::PointResult>& rows);
std::string study_results_csv(const models::Study& study, const std::vector<models::PointResult>& rows);
std::string study_html_report(const models::Study& study, const std::vector<models::PointResult>& rows);

// The index into rows of the best successful point (by the study's
// objective), or rows.size() when none succeeded.
std::size_t best_point(const models::Study& study, const std::vector<models::PointResult>& rows);

}  // namespace v3sim::report
