#include "topologies/routing.hpp"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/visitors.hpp>
#include <algorithm>
#include <stdexcept>

namespace v3sim::topologies {

std::uint64_t mix_hash(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Every cable is a pair of opposite edges, so hop counts *to* dst equal
// those *from* dst: one BFS from dst serves every source.
const Router::Hops& Router::distances_to(VertexId dst) {
  auto it = dist_.find(dst);
  if (it != dist_.end()) return it->second;
  std::vector<int> d(boost::num_vertices(c_.graph), -1);
  d[dst] = 0;
  auto recorder = boost::record_distances(boost::make_iterator_property_map(d.begin(), boost::get(boost::vertex_index, c_.graph)),
                                          boost::on_tree_edge());
  boost::breadth_first_search(c_.graph, dst, boost::visitor(boost::make_bfs_visitor(recorder)));
  Hops hops(d.size());
  for (std::size_t v = 0; v < d.size(); ++v) hops[v] = d[v] < 0 || d[v] >= kFar ? kFar : static_cast<std::uint8_t>(d[v]);
  return dist_.emplace(dst, std::move(hops)).first->second;
}

std::optional<VertexId> Router::only_switch(VertexId nic) const {
  std::optional<VertexId> sw;
  for (auto [e, end] = boost::out_edges(nic, c_.graph); e != end; ++e)
    if (c_.graph[*e].kind == LinkKind::kFabric) {
      if (sw) return std::nullopt;
      sw = boost::target(*e, c_.graph);
    }
  return sw;
}

template <typename Distance>
std::vector<EdgeId> Router::walk(VertexId src, VertexId dst, std::uint64_t flow_id, Distance d) {
  if (d(src) == kFar) throw std::invalid_argument("no path between the two vertices");
  std::vector<EdgeId> path;
  VertexId v = src;
  std::vector<EdgeId> next;
  while (v != dst) {
    next.clear();
    const int want = d(v) - 1;
    for (auto [e, end] = boost::out_edges(v, c_.graph); e != end; ++e)
      if (d(boost::target(*e, c_.graph)) == want) next.push_back(*e);
    if (next.empty()) throw std::invalid_argument("no path between the two vertices");
    const EdgeId chosen = next[mix_hash(flow_id * 0x100000001b3ULL + v) % next.size()];
    path.push_back(chosen);
    v = boost::target(chosen, c_.graph);
  }
  return path;
}

// Three cases, each exact for shortest paths (so the ECMP choices, and every
// path, are those of a BFS to dst over the whole graph, which is the third):
// - Inside one node (GPU to NIC, NIC to GPU, NVLink): a path that leaves the
//   node takes at least a NIC, a switch and a NIC more than one that stays, so
//   a BFS over the node's own vertices gives the same distances.
// - Into a NIC with one fabric link (every fat-tree builder's NICs), from
//   outside its node: every shortest path enters through that switch, so the
//   distance is the switch's plus one, from a BFS cached per switch; there
//   are far fewer switches than NICs, which keeps routing at 16,384 GPUs
//   linear instead of one whole-graph BFS per endpoint.
// - Anything else: a BFS from dst, cached.
std::vector<EdgeId> Router::shortest_path(VertexId src, VertexId dst, std::uint64_t flow_id) {
  const int node = c_.graph[dst].node;
  if (node >= 0 && c_.graph[src].node == node) {
    // BFS restricted to the node: a handful of vertices, kept in a small map.
    std::vector<std::pair<VertexId, int>> seen{{dst, 0}};
    for (std::size_t head = 0; head < seen.size(); ++head) {
      const auto [u, du] = seen[head];
      for (auto [e, end] = boost::out_edges(u, c_.graph); e != end; ++e) {
        const VertexId w = boost::target(*e, c_.graph);
        if (c_.graph[w].node != node) continue;
        if (std::none_of(seen.begin(), seen.end(), [&](const auto& p) { return p.first == w; })) seen.emplace_back(w, du + 1);
      }
    }
    return walk(src, dst, flow_id, [&](VertexId v) -> int {
      for (const auto& [w, dw] : seen)
        if (w == v) return dw;
      return kFar;
    });
  }
  if (c_.graph[dst].kind == VertexKind::kNic)
    if (const auto sw = only_switch(dst)) {
      const Hops& h = distances_to(*sw);
      return walk(src, dst, flow_id, [&, dst](VertexId v) -> int {
        if (v == dst) return 0;
        if (c_.graph[v].node == node) return kFar;  // the node's inside: never on a path from outside
        return h[v] == kFar ? kFar : h[v] + 1;
      });
    }
  const Hops& h = distances_to(dst);
  return walk(src, dst, flow_id, [&](VertexId v) -> int { return h[v]; });
}

const Router::Split& Router::gpu_path_split(int from_gpu, int to_gpu, std::uint64_t flow_id) {
  const auto key = std::make_tuple(from_gpu, to_gpu, flow_id);
  auto it = splits_.find(key);
  if (it != splits_.end()) return it->second;
  const VertexProps& a = c_.graph[c_.gpus.at(from_gpu)];
  const VertexProps& b = c_.graph[c_.gpus.at(to_gpu)];
  Split s;
  s.relay_gpu = from_gpu;
  if (a.node != b.node) {
    s.relay_gpu = b.node * c_.gpus_per_node + a.index;
    const int nic = a.index * c_.nics_per_node / c_.gpus_per_node;
    s.fabric = shortest_path(c_.nic(a.node, nic), c_.nic(b.node, nic), flow_id);
    // GPU -> its NIC, and the target node's NIC -> the relay GPU.
    auto pcie = shortest_path(c_.gpus[from_gpu], c_.nic(a.node, nic), flow_id);
    auto back = shortest_path(c_.nic(b.node, nic), c_.gpus[s.relay_gpu], flow_id);
    s.fabric.insert(s.fabric.begin(), pcie.begin(), pcie.end());
    s.fabric.insert(s.fabric.end(), back.begin(), back.end());
  }
  if (s.relay_gpu != to_gpu) s.nvlink = shortest_path(c_.gpus[s.relay_gpu], c_.gpus[to_gpu], flow_id);
  return splits_[key] = std::move(s);
}

const std::vector<EdgeId>& Router::gpu_path(int from_gpu, int to_gpu, std::uint64_t flow_id) {
  const auto key = std::make_tuple(from_gpu, to_gpu, flow_id);
  auto it = paths_.find(key);
  if (it != paths_.end()) return it->second;
  const Split& s = gpu_path_split(from_gpu, to_gpu, flow_id);
  std::vector<EdgeId> path = s.fabric;
  path.insert(path.end(), s.nvlink.begin(), s.nvlink.end());
  return paths_[key] = std::move(path);
}

}  // namespace v3sim::topologies
