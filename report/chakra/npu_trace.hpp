#pragma once
// One NPU's Chakra trace: its stage's program (report/chakra/chakra_program.hpp)
// with what differs from GPU to GPU filled in: each collective's `pg_name`
// (its communicator group's number, a string, as ASTRA-sim reads it) and each
// transfer's `comm_src` and `comm_dst` (NPU numbers). A stage's nodes are
// encoded once; each NPU's file appends its few attributes to them (a
// repeated protobuf field may come in parts), so thousands of files cost
// little more than writing their bytes.
#include <string>
#include <vector>

#include "report/chakra/chakra_program.hpp"
#include "report/chakra/comm_groups.hpp"

namespace v3sim::report {

class NpuTraceWriter {
 public:
  // `common`: the GlobalMetadata every file shares; each adds its `npu`,
  // `stage` and `position`.
  NpuTraceWriter(const ChakraPrograms& programs, const CommGroups& groups, ChakraProtoMsg::GlobalMetadata common);

  // The bytes of NPU `npu`'s file: Chakra's stream of length-delimited
  // messages, the GlobalMetadata first.
  std::string trace(int npu) const;

 private:
  const ChakraPrograms& programs_;
  const CommGroups& groups_;
  ChakraProtoMsg::GlobalMetadata common_;
  std::vector<std::vector<std::string>> node_bytes_;  // per stage, per node
};

}  // namespace v3sim::report
