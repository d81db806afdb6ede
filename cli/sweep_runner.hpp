#pragma once
// Runs a study's points on threads. Each finished point is appended to a
// journal (cli/sweep_journal.hpp: one JSON line, flushed), so an interrupted
// sweep resumes from what it finished; a failing point is recorded with its
// error and the others go on. Points are built one at a time, when a thread
// takes them.
#include <cstddef>
#include <fstream>
#include <string>
#include <vector>

#include "models/study/point_result.hpp"
#include "models/study/study.hpp"
#include "models/transformer/model_source.hpp"

namespace v3sim::cli {

// Simulates one point and extracts the study's fields from its summary.
// `model_files` reads a model config file named by the base scenario (or an
// axis), relative to the base scenario's folder (cli/model_file.hpp).
models::PointResult evaluate_point(const models::Study& study, const models::StudyPoint& point,
                                   const models::ModelFileReader& model_files = {});

struct SweepRun {
  std::vector<models::PointResult> rows;  // the points this run finished
  bool interrupted = false;               // stopped by max_points before the end
};

struct SweepWork {
  const models::Study* study = nullptr;
  const nlohmann::json* base = nullptr;
  std::vector<std::size_t> todo;  // point indices
  std::size_t total = 0;          // points in the study (for progress)
  std::size_t already = 0;        // finished before this run
  models::ModelFileReader model_files;  // model config files, beside the base scenario
};

// Runs `work.todo` on `jobs` threads, appending each result to `journal`
// (opened for appending); `max_points` > 0 stops after that many (an
// interruption, for tests).
SweepRun run_points(const SweepWork& work, int jobs, std::ofstream& journal, std::size_t max_points,
                    bool show_progress);

}  // namespace v3sim::cli
