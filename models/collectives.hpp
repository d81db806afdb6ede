#pragma once
// Collectives as flows on the cluster: point-to-point and the ring
// algorithms (Patarasuk and Yuan, 2009) for reduce-scatter, all-gather and
// all-reduce. A ring of n GPUs runs n-1 steps (2(n-1) for all-reduce); in
// each step every GPU sends bytes/n to the next, once it has received the
// previous step's chunk and finished its own previous send. Reduction
// arithmetic is not timed (it overlaps the transfers in NCCL's kernels).
#include <vector>

#include "models/cluster_network.hpp"

namespace v3sim::models {

enum class CollectiveKind { kReduceScatter, kAllGather, kAllReduce };

// Adds the collective's flows to net's task graph, on `resource`; each GPU's
// first send waits for `after[i]` when given. Returns, per GPU of `gpus`
// (indices into cluster.gpus), the task whose end completes it there.
std::vector<sim::TaskId> add_ring_collective(ClusterNetwork& net, sim::ResourceId resource, CollectiveKind kind,
                                             const std::vector<int>& gpus, double bytes,
                                             const std::vector<sim::TaskId>& after = {});

// One transfer from GPU `from` to GPU `to` over the expert-parallel path.
sim::TaskId add_point_to_point(ClusterNetwork& net, sim::ResourceId resource, int from, int to, double bytes);

}  // namespace v3sim::models
