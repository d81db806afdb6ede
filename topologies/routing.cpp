#include "topologies/routing.hpp"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/visitors.hpp>
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
const std::vector<int>& Router::distances_to(VertexId dst) {
  auto it = dist_.find(dst);
  if (it != dist_.end()) return it->second;
  std::vector<int> d(boost::num_vertices(c_.graph), -1);
  d[dst] = 0;
  auto recorder = boost::record_distances(boost::make_iterator_property_map(d.begin(), boost::get(boost::vertex_index, c_.graph)),
                                          boost::on_tree_edge());
  boost::breadth_first_search(c_.graph, dst, boost::visitor(boost::make_bfs_visitor(recorder)));
  return dist_.emplace(dst, std::move(d)).first->second;
}

std::vector<EdgeId> Router::shortest_path(VertexId src, VertexId dst, std::uint64_t flow_id) {
  const std::vector<int>& d = distances_to(dst);
  if (d[src] < 0) throw std::invalid_argument("no path between the two vertices");
  std::vector<EdgeId> path;
  VertexId v = src;
  std::vector<EdgeId> next;
  while (v != dst) {
    next.clear();
    for (auto [e, end] = boost::out_edges(v, c_.graph); e != end; ++e)
      if (d[boost::target(*e, c_.graph)] == d[v] - 1) next.push_back(*e);
    const EdgeId chosen = next[mix_hash(flow_id * 0x100000001b3ULL + v) % next.size()];
    path.push_back(chosen);
    v = boost::target(chosen, c_.graph);
  }
  return path;
}

Router::Split Router::gpu_path_split(int from_gpu, int to_gpu, std::uint64_t flow_id) {
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
  return s;
}

std::vector<EdgeId> Router::gpu_path(int from_gpu, int to_gpu, std::uint64_t flow_id) {
  Split s = gpu_path_split(from_gpu, to_gpu, flow_id);
  s.fabric.insert(s.fabric.end(), s.nvlink.begin(), s.nvlink.end());
  return s.fabric;
}

}  // namespace v3sim::topologies
