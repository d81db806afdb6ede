#pragma once
// trace.json in the Chrome trace event format (Perfetto, chrome://tracing):
// one process per rank, a thread per stream (compute, comm), p2p transfers as
// async slices and the activation count as a counter track.
#include <nlohmann/json.hpp>

#include "models/pipeline/pipeline_result.hpp"

namespace v3sim::report {

std::string chrome_trace(const models::PipelineResult& result);

}  // namespace v3sim::report
