#pragma once
// The rules an ASTRA-sim run of a Chakra export depends on, checked on the
// decoded files against the communicator-group file, independently of how
// the exporter builds them (its rules as ASTRA-sim's workload layer reads
// traces, docs/outputs.md):
// - each file: GlobalMetadata first (its `npu` the file's), node ids 0.. in
//   order, every dependency on an earlier node (so the graph is acyclic);
// - each collective: a string `pg_name` naming a group of the file that
//   holds the NPU, a positive comm_size, a type ASTRA-sim runs; the NPU's
//   collectives form one chain of dependencies, so it issues them in file
//   order whatever the timing;
// - each group: every member issues the same collectives (type and size) in
//   the same order;
// - transfers: every send is some NPU's receive (source, destination, tag,
//   size), sends leave the NPU that holds them and receives arrive there.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/delimited_message_util.h>

#include "report/chakra/chakra_stream.hpp"

namespace v3sim::test {

class ChakraRules {
 public:
  explicit ChakraRules(const nlohmann::json& comm_groups) {
    for (const auto& [key, members] : comm_groups.items()) {
      const int id = std::stoi(key);
      EXPECT_GT(id, 0) << key;
      EXPECT_EQ(std::to_string(id), key);
      std::set<int>& m = groups_[id];
      for (const auto& n : members) EXPECT_TRUE(m.insert(n.get<int>()).second) << "group " << key << " lists " << n << " twice";
      EXPECT_GE(m.size(), 2u) << "group " << key;
    }
  }

  void add(int npu, const report::ChakraTrace& t) {
    begin(npu, t.metadata);
    for (const ChakraProtoMsg::Node& x : t.nodes) node(x);
  }

  // The same, reading the file's bytes one node at a time into one reused
  // message (thousands of files decode without an allocation per node).
  void add(int npu, const std::string& bytes) {
    google::protobuf::io::ArrayInputStream in(bytes.data(), static_cast<int>(bytes.size()));
    bool eof = false;
    ChakraProtoMsg::GlobalMetadata meta;
    if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(&meta, &in, &eof)) {
      ++failures_;
      return;
    }
    begin(npu, meta);
    ChakraProtoMsg::Node x;  // parsing merges into it: cleared before each node
    for (x.Clear(); google::protobuf::util::ParseDelimitedFromZeroCopyStream(&x, &in, &eof); x.Clear()) node(x);
    if (!eof && failures_++ == 0) first_failure_ = "NPU " + std::to_string(npu) + ": a malformed node";
  }

  void begin(int npu, const ChakraProtoMsg::GlobalMetadata& meta) {
    ++files_;
    EXPECT_EQ(meta.version(), "0.0.4");
    std::int64_t id = -1;
    for (const auto& a : meta.attr())
      if (a.name() == "npu") id = a.int64_val();
    EXPECT_EQ(id, npu);
    npu_ = npu;
    coll_index_.clear();
    ancestor_.clear();
    collectives_ = 0;
  }

  void node(const ChakraProtoMsg::Node& x) {
    const int npu = npu_;
    const std::size_t i = coll_index_.size();
    coll_index_.push_back(-1);
    ancestor_.push_back(-1);
    if (x.id() != i) fail(npu, x, "id out of file order");
    for (const auto& deps : {x.ctrl_deps(), x.data_deps()})
      for (std::uint64_t d : deps) {
        if (d >= i) {
          fail(npu, x, "depends on a later or missing node");
          continue;
        }
        ancestor_[i] = std::max({ancestor_[i], ancestor_[d], coll_index_[d]});
      }
    if (bool_attr(x, "is_cpu_op")) fail(npu, x, "is a CPU op");
    if (x.type() == ChakraProtoMsg::COMM_COLL_NODE) {
      coll_index_[i] = collectives_++;
      if (ancestor_[i] != coll_index_[i] - 1) fail(npu, x, "is not chained after the NPU's previous collective");
      const auto* pg = attr(x, "pg_name");
      if (pg == nullptr || !pg->has_string_val()) return fail(npu, x, "has no string pg_name");
      const int id = std::atoi(pg->string_val().c_str());
      const auto g = groups_.find(id);
      if (g == groups_.end() || !g->second.count(npu)) return fail(npu, x, "names group " + pg->string_val() + ", which does not hold it");
      const std::int64_t type = int_attr(x, "comm_type"), size = int_attr(x, "comm_size");
      if (size <= 0) fail(npu, x, "has no positive comm_size");
      if (type != ChakraProtoMsg::ALL_REDUCE && type != ChakraProtoMsg::ALL_GATHER && type != ChakraProtoMsg::ALL_TO_ALL &&
          type != ChakraProtoMsg::REDUCE_SCATTER)
        fail(npu, x, "has a collective type ASTRA-sim does not run");
      Sequence& s = sequences_[{id, npu}];
      s.hash = (s.hash ^ static_cast<std::uint64_t>(type * 1000003 + size)) * 1099511628211ull;
      ++s.count;
    }
    const bool send = x.type() == ChakraProtoMsg::COMM_SEND_NODE, recv = x.type() == ChakraProtoMsg::COMM_RECV_NODE;
    if (send || recv) {
      const Transfer k{int_attr(x, "comm_src"), int_attr(x, "comm_dst"), int_attr(x, "comm_tag"), int_attr(x, "comm_size")};
      if (std::get<3>(k) <= 0) fail(npu, x, "has no positive comm_size");
      if (send && (std::get<0>(k) != npu || std::get<1>(k) == npu)) fail(npu, x, "is a send that does not leave it");
      if (recv && (std::get<1>(k) != npu || std::get<0>(k) == npu)) fail(npu, x, "is a receive that does not arrive there");
      (send ? sends_ : recvs_).insert(k);
    }
  }

  // The rules across files; `npus` files were expected.
  void finish(int npus) {
    EXPECT_EQ(files_, npus);
    for (const auto& [id, members] : groups_) {
      const int first = *members.begin();
      const auto of = [&](int m) {
        const auto it = sequences_.find({id, m});
        return it == sequences_.end() ? Sequence{} : it->second;
      };
      for (int m : members) {
        EXPECT_LT(m, npus) << "group " << id;
        if (of(m).count != of(first).count || of(m).hash != of(first).hash)
          if (failures_++ == 0)
            first_failure_ = "group " + std::to_string(id) + ": NPU " + std::to_string(m) + " issues other collectives than NPU " +
                             std::to_string(first);
      }
    }
    EXPECT_EQ(sends_, recvs_) << "unmatched transfers";
    EXPECT_EQ(failures_, 0) << "first: " << first_failure_;
  }

  std::size_t groups() const { return groups_.size(); }
  std::size_t transfers() const { return sends_.size(); }
  long collectives() const {
    long c = 0;
    for (const auto& [k, s] : sequences_) c += s.count;
    return c;
  }

 private:
  struct Sequence {
    std::uint64_t hash = 14695981039346656037ull;
    long count = 0;
  };
  using Transfer = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>;

  static const ChakraProtoMsg::AttributeProto* attr(const ChakraProtoMsg::Node& n, const std::string& name) {
    for (const auto& a : n.attr())
      if (a.name() == name) return &a;
    return nullptr;
  }
  static std::int64_t int_attr(const ChakraProtoMsg::Node& n, const std::string& name) {
    const auto* a = attr(n, name);
    if (a == nullptr) return -1;
    return a->has_int64_val() ? a->int64_val() : a->int32_val();
  }
  static bool bool_attr(const ChakraProtoMsg::Node& n, const std::string& name) {
    const auto* a = attr(n, name);
    return a != nullptr && a->bool_val();
  }
  static std::int64_t meta_int(const report::ChakraTrace& t, const std::string& name) {
    for (const auto& a : t.metadata.attr())
      if (a.name() == name) return a.int64_val();
    return -1;
  }
  void fail(int npu, const ChakraProtoMsg::Node& x, const std::string& why) {
    if (failures_++ == 0) first_failure_ = "NPU " + std::to_string(npu) + " node " + std::to_string(x.id()) + " '" + x.name() + "' " + why;
  }

  std::map<int, std::set<int>> groups_;
  int npu_ = -1;  // the file being read
  std::vector<long> coll_index_, ancestor_;  // per node: its index among the collectives; the latest collective above it
  long collectives_ = 0;
  std::map<std::pair<int, int>, Sequence> sequences_;  // (group, NPU)
  std::multiset<Transfer> sends_, recvs_;
  int files_ = 0;
  long failures_ = 0;
  std::string first_failure_;
};

}  // namespace v3sim::test
