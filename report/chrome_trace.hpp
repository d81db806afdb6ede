#pragma once
// trace.json in the Chrome trace event format (Perfetto, chrome://tracing):
// one process per rank, a thread per stream (compute, comm), p2p transfers as
// async slices and the activation count as a counter track.
#include <nlohmann/json.hpp>

#include "models/pipeline/pipeline_result.hpp"

namespace v3sim::report {

// A run past `max_ops` ops keeps the step's first `max_ops` in time (and the
// transfers and counters before the cut) and says so in otherData:
// ops_total, ops_written, truncated_at_s. No viewer loads ten million slices.
std::string chrome_trace(const models::PipelineResult& result, std::size_t max_ops = 1000000);

}  // namespace v3sim::report
