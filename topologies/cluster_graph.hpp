#pragma once
// The cluster as a Boost.Graph graph: GPUs, each node's NVSwitch, NICs and
// the fabric's switches as vertices; every cable as two directed edges, one
// per direction, each with the cable's full bandwidth (full duplex).
#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace v3sim::topologies {

enum class VertexKind { kGpu, kNvSwitch, kNic, kLeaf, kSpine, kCore };
enum class LinkKind { kNvLink, kPcie, kFabric };

struct VertexProps {
  VertexKind kind = VertexKind::kGpu;
  int node = -1;   // GPUs, NVSwitches, NICs: the node they sit in
  int index = -1;  // GPU or NIC index in its node; switch number in its layer
  int plane = -1;  // fabric plane (multi-plane fabrics), else 0
};

struct EdgeProps {
  LinkKind kind = LinkKind::kFabric;
  double bandwidth = 0;  // bytes per second, one direction
  sim::Time latency = 0;
  std::uint32_t id = 0;  // dense edge number, for mapping to simulator links
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, VertexProps, EdgeProps>;
using VertexId = Graph::vertex_descriptor;
using EdgeId = Graph::edge_descriptor;

// What a fabric builder reports about what it built.
struct FabricSummary {
  std::string kind;
  int endpoints = 0;   // NICs attached
  int leaves = 0, spines = 0, cores = 0;
  int planes = 1;
  double bisection_bandwidth = 0;  // bytes per second, one direction
};

struct Cluster {
  Graph graph;
  int nodes = 0;
  int gpus_per_node = 0;
  int nics_per_node = 0;
  std::vector<VertexId> gpus;  // node-major: node * gpus_per_node + index
  std::vector<VertexId> nics;  // node-major: node * nics_per_node + index
  std::vector<EdgeId> edges;   // by EdgeProps::id
  FabricSummary fabric;

  int switch_count() const { return fabric.leaves + fabric.spines + fabric.cores; }
  std::size_t cable_count() const { return edges.size() / 2; }
  VertexId gpu(int node, int index) const { return gpus[static_cast<std::size_t>(node * gpus_per_node + index)]; }
  VertexId nic(int node, int index) const { return nics[static_cast<std::size_t>(node * nics_per_node + index)]; }

  VertexId add_vertex(VertexProps p) { return boost::add_vertex(p, graph); }
  // One full-duplex cable: two directed edges.
  void connect(VertexId a, VertexId b, LinkKind kind, double bandwidth, sim::Time latency);
};

}  // namespace v3sim::topologies
