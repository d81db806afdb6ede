#pragma once
// An inference step as a Timeline (report/timeline_svg): for GPU 0 and the
// busiest GPU, a compute lane and under it the exchanges (the comm SMs'
// stream in prefill; dispatch/combine in flight in decode, one half of the
// lane per micro-batch because both micro-batches' exchanges may be in
// flight at once). Stages coloured as in DeepSeek's overlap figures.
#include <string>

#include "models/inference/inference_step.hpp"
#include "report/timeline_svg.hpp"

namespace v3sim::report {

const char* inference_stage_colour(const std::string& stage);

// The colour key of the stages the result holds.
std::string inference_legend(const models::InferenceResult& r);

// The tasks that overlap [from_ms, to_ms) of the step, drawn from from_ms;
// `scale_ms` the time the full width shows (0: the window), the longest
// window when several are compared.
Timeline inference_timeline(const models::InferenceResult& r, double from_ms, double to_ms, double scale_ms,
                            const std::string& group);

// The step time window of one layer on GPU 0 (its first task's start to its
// last task's end), in ms; {0, 0} when the layer has no tasks.
std::pair<double, double> inference_layer_window(const models::InferenceResult& r, int layer);

}  // namespace v3sim::report
