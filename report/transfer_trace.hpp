#pragma once
// Pipeline point-to-point transfers in a Chrome trace: a send slice on the
// sender, a zero-length arrival slice on the receiver when the data is
// there, and a flow arrow from the send's start to the arrival (viewers bind
// flow ends to the slice starting at that time, and drop a flow whose ends
// share one).
// Transfers of one rank may overlap (DualPipe sends both ways at once), and
// slices on one thread must nest, so each rank gets as many transfer threads
// as its transfers overlap deep, from `first_tid` on.
#include <limits>

#include "models/pipeline/pipeline_result.hpp"
#include "report/trace_writer.hpp"

namespace v3sim::report {

// `bytes`: of one transfer, or 0 when the run does not size them; transfers
// starting at `until` or later are left out (a trace cut short).
void write_pipeline_transfers(TraceWriter& w, const models::PipelineResult& pipeline, int first_tid, double bytes,
                              sim::Time until = std::numeric_limits<sim::Time>::max());

}  // namespace v3sim::report
