#pragma once
// Chakra's file format: a stream of length-delimited protobuf messages (a
// varint length, then the message bytes), the GlobalMetadata first and then
// one Node per node: what Chakra's protolib encodeMessage writes and
// decodeMessage reads, so ASTRA-sim's feeder and Chakra's tools read it.
#include <string>
#include <vector>

#include "et_def.pb.h"

namespace v3sim::report {

// One rank's execution trace: its metadata and nodes in file order.
struct ChakraTrace {
  ChakraProtoMsg::GlobalMetadata metadata;
  std::vector<ChakraProtoMsg::Node> nodes;
};

std::string encode_chakra_trace(const ChakraTrace& trace);

// Throws std::runtime_error for a truncated or malformed stream, or one
// without its GlobalMetadata.
ChakraTrace decode_chakra_trace(const std::string& bytes);

}  // namespace v3sim::report
