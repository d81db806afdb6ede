#pragma once
// A simulated training step as Chakra programs (MLCommons Chakra ET,
// ASTRA-sim's workload input): one program per pipeline stage, the same on
// every GPU of the stage, as the step graph ran it on data-parallel replica 0.
// Every component kernel is a node (compute kernels COMP_NODE, expert-parallel
// all-to-alls and tensor-parallel all-reduces COMM_COLL_NODE), each pipeline
// transfer a COMM_SEND_NODE / COMM_RECV_NODE pair matched by tag, and the
// data-parallel tail its collectives and the optimizer step. ctrl_deps carry
// stream order, data_deps the step graph's dependencies. What differs from
// GPU to GPU of a stage (the group a collective runs on, a transfer's peer)
// is bound per node and filled in per NPU (report/chakra/npu_trace.hpp).
// The node mapping is documented in docs/outputs.md.
#include <string>
#include <vector>

#include "models/training/training_step.hpp"
#include "report/chakra/chakra_stream.hpp"
#include "report/chakra/comm_groups.hpp"

namespace v3sim::report {

// The trace version Chakra's converters write in GlobalMetadata.
inline constexpr const char* kChakraVersion = "0.0.4";

// What an NPU fills into a node of its stage's program.
struct NodeBinding {
  enum Kind { kNone, kGroup, kSend, kRecv };
  Kind kind = kNone;
  GroupRole role = GroupRole::kExpert;  // kGroup: the group its pg_name names
  int peer_stage = -1;                  // kSend, kRecv: the other end, at the same position
};

struct StageProgram {
  std::vector<ChakraProtoMsg::Node> nodes;  // a topological order, ids 0.. in file order
  std::vector<NodeBinding> bindings;        // per node
  bool mirrored = false;                    // sums gradients with stage stages-1-s
};

struct ChakraPrograms {
  NpuGrid grid;
  std::vector<StageProgram> stages;
  // Kernels ASTRA-sim cannot overlap with compute (the second compute
  // stream, compute on the communication SMs): per stage, how many and the
  // simulated time they overlapped with the main stream, which their
  // duration_micros leaves out (docs/outputs.md).
  std::vector<int> folded_kernels;
  std::vector<double> folded_overlap_us;
};

// The programs of `result` on `replicas` data-parallel replicas (the step's
// dp, or fewer for a symmetric subset: its data-parallel groups shrink to
// match). Throws std::invalid_argument unless 1 <= replicas <= dp and ep
// divides replicas x cp x tp.
ChakraPrograms chakra_programs(const models::TrainingResult& result, int replicas);

// The GlobalMetadata every NPU's file shares (docs/outputs.md lists it); each
// file adds its npu, stage and position.
ChakraProtoMsg::GlobalMetadata chakra_metadata(const models::TrainingResult& result, const NpuGrid& grid,
                                              const std::string& scenario_name);

}  // namespace v3sim::report
