#pragma once
// One page comparing schedules on the same scenario: a table (step time,
// bubble, peak activation and parameter memory per rank) and the pipeline
// timelines one above the other, all on the longest step's time scale.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/pipeline/pipeline_result.hpp"
#include "models/training/step_graph.hpp"

namespace v3sim::report {

struct CompareRow {
  std::string schedule;
  std::string error;  // the schedule could not run on this scenario
  double step_s = 0;
  double bubble_fraction = 0;
  double max_bubble_s = 0;
  double peak_activations = 0;  // training: bytes; abstract: stage-chunks
  double parameters = 0;        // training: bytes; abstract: stage copies
  bool bytes = false;           // whether the two columns above are bytes
  models::PipelineResult pipeline;
  // Training only: replica 0's component kernels, whose communication ones
  // are drawn as a lane under each rank (empty: no such lanes).
  std::vector<models::ComponentRecord> components;
  // Training only: where the layers went (compare's stated rule), layer
  // units per model part, and the spread of the ranks' compute.
  std::string placement;
  std::vector<int> layers_per_part;
  double compute_min_s = 0, compute_max_s = 0;
  double exposed_comm_max_s = 0;  // the largest per-rank exposed communication
  double host_wait_max_s = 0;     // the largest per-rank wait for the host to issue kernels
};

// The time the full timeline width shows on the comparison page: the
// longest step, so every schedule is drawn on the same scale.
double compare_scale_ms(const std::vector<CompareRow>& rows);

nlohmann::json compare_json(const std::string& scenario, const std::vector<CompareRow>& rows);
std::string compare_table(const std::vector<CompareRow>& rows);
// compare_json's row fields in the table's column order (compare.csv's).
const std::vector<std::string>& compare_columns();
std::string compare_html(const std::string& title, const std::vector<CompareRow>& rows);

}  // namespace v3sim::report
