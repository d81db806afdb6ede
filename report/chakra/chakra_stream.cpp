#include "report/chakra/chakra_stream.hpp"

#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/delimited_message_util.h>

#include <stdexcept>

namespace v3sim::report {

std::string encode_chakra_trace(const ChakraTrace& trace) {
  std::string bytes;
  {
    // The stream flushes into `bytes` when it goes out of scope.
    google::protobuf::io::StringOutputStream out(&bytes);
    bool ok = google::protobuf::util::SerializeDelimitedToZeroCopyStream(trace.metadata, &out);
    for (const ChakraProtoMsg::Node& n : trace.nodes)
      ok = ok && google::protobuf::util::SerializeDelimitedToZeroCopyStream(n, &out);
    if (!ok) throw std::runtime_error("could not encode a Chakra trace");
  }
  return bytes;
}

ChakraTrace decode_chakra_trace(const std::string& bytes) {
  google::protobuf::io::ArrayInputStream in(bytes.data(), static_cast<int>(bytes.size()));
  ChakraTrace t;
  bool clean_eof = false;
  if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(&t.metadata, &in, &clean_eof))
    throw std::runtime_error("Chakra trace: no GlobalMetadata message");
  for (;;) {
    ChakraProtoMsg::Node n;
    if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(&n, &in, &clean_eof)) {
      if (clean_eof) break;
      throw std::runtime_error("Chakra trace: malformed node " + std::to_string(t.nodes.size()));
    }
    t.nodes.push_back(std::move(n));
  }
  return t;
}

}  // namespace v3sim::report
