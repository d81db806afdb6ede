#pragma once
// report.html of an abstract run: one self-contained page (its one script is
// embedded; no network) with the summary table, the pipeline timeline in the
// style of the DualPipe paper figure on a zoomable time axis, and each rank's
// activation memory over the step.
#include <string>

#include "models/pipeline/pipeline_result.hpp"
#include "models/scenario.hpp"

namespace v3sim::report {

std::string html_report(const models::Scenario& scenario, const models::PipelineResult& result);

// The timeline with its legend, zoom buttons and aggregation note, at
// `scale_ms` to the full width (0: the step's own time).
std::string timeline_section(const models::PipelineResult& result, double scale_ms = 0,
                             const std::string& group = "pipeline", bool controls = true);

}  // namespace v3sim::report
