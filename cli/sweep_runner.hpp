#pragma once
// Runs a study's points on threads. Each finished point is appended to a
// journal (one JSON line, flushed), so an interrupted sweep resumes from
// what it finished; a failing point is recorded with its error and the
// others go on.
#include <cstddef>
#include <string>
#include <vector>

#include "models/study/point_result.hpp"
#include "models/study/study.hpp"

namespace v3sim::cli {

// Simulates one point and extracts the study's fields from its summary.
models::PointResult evaluate_point(const models::Study& study, const models::StudyPoint& point);

// Finished points recorded in the journals `files` (a torn last line, from an
// interruption, is ignored).
std::vector<models::PointResult> read_journals(const std::vector<std::string>& files);

struct SweepRun {
  std::vector<models::PointResult> rows;  // the points this run finished
  bool interrupted = false;               // stopped by max_points before the end
};

// Runs `todo` on `jobs` threads, appending each result to `journal`;
// `max_points` > 0 stops after that many (an interruption, for tests).
SweepRun run_points(const models::Study& study, const std::vector<const models::StudyPoint*>& todo, int jobs,
                    const std::string& journal, std::size_t max_points, std::size_t total, std::size_t already,
                    bool show_progress);

}  // namespace v3sim::cli
