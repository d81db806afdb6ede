#pragma once
// How long each GPU's part of an expert-parallel exchange takes, given the
// share of the layer's token copies each GPU's experts receive.
//
// Decode (DeepEP low-latency): every (token, expert) is one RDMA message
// from the sender straight to the expert's GPU, no NVLink forwarding and no
// SMs held between its send and receive kernels. A GPU's round (its send to
// its data's arrival) takes the benchmark's time: a fixed part and its NIC's
// bytes (its own receive, or the busiest sender's send, whichever is more:
// every GPU hears from every other) at the rate fitted on DeepEP's table.
// Its NIC is occupied for the bytes at line rate; a late sender delays only
// its own messages. Messages to the GPU itself stay local; with
// `low_latency_nvlink`, messages within an NVLink domain go over NVLink.
//
// Prefill (DeepEP normal): the training model's flow-level simulation of
// dispatch and combine (IB once per node, then NVLink forwarding) on the
// cluster, from the expected tokens per rank and node.
#include <memory>
#include <vector>

#include "calibration/profile.hpp"
#include "models/cluster_config.hpp"
#include "sim/time.hpp"
#include "topologies/cluster_graph.hpp"
#include "topologies/routing.hpp"

namespace v3sim::models {

struct LowLatencyLink {
  double nic_bytes_per_s = 0;     // the fitted rate of one GPU's RDMA traffic
  double nic_line_bytes_per_s = 0;  // the NICs' line rate: how long bytes occupy them
  double nvlink_bytes_per_s = 0;  // with low_latency_nvlink: the fitted rate over NVLink
  int nvlink_domain = 1;          // GPUs per NVLink domain
  bool use_nvlink = false;
  double fixed_s = 0;             // the kernel's fixed time (fitted)
};

// The profile's class (ep_ll_dispatch / ep_ll_combine, and its _nvlink
// variant) on this GPU: the profile is already carried to the GPU.
LowLatencyLink low_latency_link(const calibration::Profile& p, const std::string& cls, const GpuPreset& gpu,
                                bool use_nvlink);

// Bytes of one low-latency message: FP8 values, an FP32 scale per 128
// channels and a 16-byte header for dispatch; BF16 values for combine (the
// accounting of DeepEP's tests/test_low_latency.py).
double low_latency_message_bytes(int hidden, bool dispatch);

// One exchange, per GPU.
struct LowLatencyExchange {
  std::vector<double> round_s;     // the benchmark's time of the round on this GPU (send to arrival)
  std::vector<double> nic_bytes;   // what its NIC carries, the larger direction
  std::vector<double> late_s;      // from the last sender's send to the arrival of that sender's messages
};

// `tokens`: tokens each GPU sends (the same on every GPU); `copies`: experts
// per token; `share[g]`: GPU g's share of all copies. Dispatch sends copies
// to experts; combine returns them, so the hot GPU then sends most.
LowLatencyExchange low_latency_exchange(const LowLatencyLink& link, const std::vector<double>& share, double tokens,
                                        int copies, double message_bytes, bool dispatch);

// The round time alone (what DeepEP's benchmark reports).
inline std::vector<double> low_latency_seconds(const LowLatencyLink& link, const std::vector<double>& share,
                                               double tokens, int copies, double message_bytes, bool dispatch) {
  return low_latency_exchange(link, share, tokens, copies, message_bytes, dispatch).round_s;
}

struct NormalExchange {
  std::vector<double> dispatch_s;  // per GPU
  std::vector<double> combine_s;
  // Per GPU: the bytes its NIC carries over the fabric, the larger direction.
  std::vector<double> dispatch_nic_bytes, combine_nic_bytes;
};

// Prefill's exchanges on a unit's GPUs (the first `ep` of `cluster`): the
// dispatch and combine flows are built once and run for each layer's load.
// `router` is the cluster's shared one.
class NormalExchanger {
 public:
  NormalExchanger(const topologies::Cluster& cluster, topologies::Router& router, const GpuPreset& gpu,
                  const calibration::Profile& p, int ep, int hidden, int comm_sms);
  ~NormalExchanger();

  // Tokens per GPU `tokens`, each to `copies` experts, `share[g]` of the
  // copies on GPU g; `sender_tokens`: each GPU's own tokens where they differ
  // (empty: `tokens`).
  NormalExchange operator()(const std::vector<double>& share, double tokens, int copies,
                            const std::vector<double>& sender_tokens = {});

 private:
  struct Phases;
  std::unique_ptr<Phases> phases_;
  int ep_, hidden_;
  int per_node_, nodes_;
  calibration::KernelClassParams dispatch_, combine_;
};

// One exchange alone (a NormalExchanger used once).
NormalExchange normal_exchange_seconds(const topologies::Cluster& cluster, topologies::Router& router, const GpuPreset& gpu,
                                       const calibration::Profile& p, const std::vector<double>& share, double tokens,
                                       int copies, int hidden, int comm_sms, const std::vector<double>& sender_tokens = {});

}  // namespace v3sim::models
