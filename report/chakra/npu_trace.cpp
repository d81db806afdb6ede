#include "report/chakra/npu_trace.hpp"

#include <stdexcept>

namespace v3sim::report {
namespace {

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void put_message(std::string& out, const std::string& bytes) {
  put_varint(out, bytes.size());
  out += bytes;
}

// A Node holding only attributes: its bytes are those attributes as field 10,
// to append to a node's own.
std::string attrs_int32(const std::string& a, std::int32_t va, const std::string& b, std::int32_t vb) {
  ChakraProtoMsg::Node n;
  auto* x = n.add_attr();
  x->set_name(a);
  x->set_int32_val(va);
  auto* y = n.add_attr();
  y->set_name(b);
  y->set_int32_val(vb);
  return n.SerializeAsString();
}

std::string attr_string(const std::string& name, const std::string& value) {
  ChakraProtoMsg::Node n;
  auto* x = n.add_attr();
  x->set_name(name);
  x->set_string_val(value);
  return n.SerializeAsString();
}

}  // namespace

NpuTraceWriter::NpuTraceWriter(const ChakraPrograms& programs, const CommGroups& groups,
                               ChakraProtoMsg::GlobalMetadata common)
    : programs_(programs), groups_(groups), common_(std::move(common)) {
  for (const StageProgram& s : programs_.stages) {
    node_bytes_.emplace_back();
    node_bytes_.back().reserve(s.nodes.size());
    for (const ChakraProtoMsg::Node& n : s.nodes) node_bytes_.back().push_back(n.SerializeAsString());
  }
}

std::string NpuTraceWriter::trace(int npu) const {
  const NpuGrid& grid = programs_.grid;
  const int stage = grid.stage_of(npu), position = grid.position_of(npu);
  ChakraProtoMsg::GlobalMetadata meta = common_;
  for (const auto& [name, value] : {std::pair{"npu", npu}, {"stage", stage}, {"position", position}}) {
    auto* a = meta.add_attr();
    a->set_name(name);
    a->set_int64_val(value);
  }
  const StageProgram& program = programs_.stages[static_cast<std::size_t>(stage)];
  const std::vector<std::string>& bytes = node_bytes_[static_cast<std::size_t>(stage)];
  std::string out;
  std::size_t total = 0;
  for (const std::string& b : bytes) total += b.size() + 8;
  out.reserve(total + 256);
  put_message(out, meta.SerializeAsString());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const NodeBinding& bind = program.bindings[i];
    std::string extra;
    switch (bind.kind) {
      case NodeBinding::kNone: break;
      case NodeBinding::kGroup: {
        const int id = groups_.id(npu, bind.role);
        if (id <= 0) throw std::logic_error("Chakra export: a collective on a group of one");
        extra = attr_string("pg_name", std::to_string(id));
        break;
      }
      case NodeBinding::kSend: extra = attrs_int32("comm_src", npu, "comm_dst", grid.npu(bind.peer_stage, position)); break;
      case NodeBinding::kRecv: extra = attrs_int32("comm_src", grid.npu(bind.peer_stage, position), "comm_dst", npu); break;
    }
    put_varint(out, bytes[i].size() + extra.size());
    out += bytes[i];
    out += extra;
  }
  return out;
}

}  // namespace v3sim::report
