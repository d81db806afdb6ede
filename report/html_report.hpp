#pragma once
// report.html: one self-contained page (no scripts, no network) with the
// summary table, an SVG pipeline timeline in the style of the DualPipe paper
// figure, and each rank's activation memory over the step.
#include <string>

#include "models/pipeline/pipeline_result.hpp"
#include "models/scenario.hpp"

namespace v3sim::report {

std::string html_report(const models::Scenario& scenario, const models::PipelineResult& result);

// The SVG timeline alone (also used by comparison pages).
std::string timeline_svg(const models::PipelineResult& result);
std::string timeline_legend();

}  // namespace v3sim::report
