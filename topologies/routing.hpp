#pragma once
// Routing on the cluster graph: shortest paths found with Boost.Graph's
// breadth-first search, the choice among equal-cost next hops made by a hash
// of the flow id (deterministic ECMP), and the path expert-parallel traffic
// takes between GPUs: NVLink inside a node; across nodes, over the fabric to
// the GPU with the sender's in-node index on the target node, then NVLink.
#include <cstdint>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "topologies/cluster_graph.hpp"

namespace v3sim::topologies {

class Router {
 public:
  explicit Router(const Cluster& cluster) : c_(cluster) {}

  // Edges of one shortest path from src to dst; equal-cost choices by flow id.
  std::vector<EdgeId> shortest_path(VertexId src, VertexId dst, std::uint64_t flow_id);

  // GPU to GPU (indices into cluster.gpus): NVLink within a node; across
  // nodes, GPU -> NIC of the same index -> fabric -> NIC -> GPU of the same
  // index on the target node (same plane), then NVLink to the target GPU.
  // Remembered per (from, to, flow id), as the split below.
  const std::vector<EdgeId>& gpu_path(int from_gpu, int to_gpu, std::uint64_t flow_id);

  // The same, split at the forwarding GPU: the fabric part (empty within a
  // node) and the NVLink part (empty when the target has the sender's index).
  struct Split {
    std::vector<EdgeId> fabric;
    std::vector<EdgeId> nvlink;
    int relay_gpu;  // where the fabric part ends
  };
  // Remembered per (from, to, flow id): the same exchange recurs every layer.
  const Split& gpu_path_split(int from_gpu, int to_gpu, std::uint64_t flow_id);

 private:
  using Hops = std::vector<std::uint8_t>;  // per vertex; kFar when unreachable
  static constexpr std::uint8_t kFar = 255;

  // Hop counts to dst from every vertex (one BFS, cached per dst).
  const Hops& distances_to(VertexId dst);
  // Walks from src to dst along edges whose far end is one hop closer.
  template <typename Distance>
  std::vector<EdgeId> walk(VertexId src, VertexId dst, std::uint64_t flow_id, Distance d);
  // The switch a NIC hangs from, when it has exactly one fabric link.
  std::optional<VertexId> only_switch(VertexId nic) const;

  const Cluster& c_;
  std::unordered_map<VertexId, Hops> dist_;
  std::map<std::tuple<int, int, std::uint64_t>, Split> splits_;
  std::map<std::tuple<int, int, std::uint64_t>, std::vector<EdgeId>> paths_;
};

// A well-mixed 64-bit hash (splitmix64 finaliser).
std::uint64_t mix_hash(std::uint64_t x);

}  // namespace v3sim::topologies
