#pragma once
// A simulated training step as Chakra execution traces (MLCommons Chakra ET,
// ASTRA-sim's workload input): one trace per pipeline rank of data-parallel
// replica 0, holding that rank's program as the step graph ran it. Every
// component kernel is a node (compute kernels COMP_NODE, expert-parallel
// all-to-alls and tensor-parallel all-reduces COMM_COLL_NODE), each pipeline
// transfer a COMM_SEND_NODE / COMM_RECV_NODE pair matched by tag across
// ranks, and the data-parallel tail its collectives and the optimizer step.
// ctrl_deps carry stream order, data_deps the step graph's dependencies.
// The node mapping is documented in docs/outputs.md.
#include <string>
#include <vector>

#include "models/training/training_step.hpp"
#include "report/chakra/chakra_stream.hpp"

namespace v3sim::report {

// The trace version Chakra's converters write in GlobalMetadata.
inline constexpr const char* kChakraVersion = "0.0.4";

// One trace per pipeline rank, in rank order; nodes in a topological order
// (every dependency before its dependants), ids 0.. in file order.
std::vector<ChakraTrace> chakra_traces(const models::TrainingResult& result, const std::string& scenario_name);

}  // namespace v3sim::report
