#pragma once
// A pipeline step as a Timeline (report/timeline_svg): one compute lane per
// rank holding its program's ops (coloured after the DualPipe figure), and
// under it the rank's communication: the point-to-point sends of an abstract
// run, the all-to-all kernels on the comm SMs of a training run and, after
// the pipeline, its data-parallel tail.
#include <string>

#include "models/pipeline/pipeline_result.hpp"
#include "models/training/training_step.hpp"
#include "report/timeline_svg.hpp"

namespace v3sim::report {

std::string op_colour(models::OpKind kind, int chunk);

// The colour key of pipeline_timeline / training_timeline.
// `tail`: the comm lanes end with the data-parallel tail (a training run's page).
std::string pipeline_legend(bool sends, bool all_to_all, bool tail = false);

// `scale_ms`: the time the full width shows (0: this step), the longest
// step when timelines are compared.
Timeline pipeline_timeline(const models::PipelineResult& r, double scale_ms = 0, const std::string& group = "pipeline");
Timeline training_timeline(const models::TrainingResult& r, double scale_ms = 0, const std::string& group = "pipeline");
// The same from the parts a comparison keeps: replica 0's ops, its component
// kernels (the comm ones become the lanes) and the step's time.
Timeline training_timeline(const models::PipelineResult& pipeline, const std::vector<models::ComponentRecord>& components,
                           double step_ms, double scale_ms, const std::string& group);

// The hover text of one op (name, kind, micro-batch, lane, stage, chunk; the
// page adds its times) as one of op_tip_templates() and its arguments.
std::vector<std::string> op_tip_templates();
void set_op_tip(const models::Schedule& s, const models::OpRecord& rec, TimelineItem& it);

}  // namespace v3sim::report
