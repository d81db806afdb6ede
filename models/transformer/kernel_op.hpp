#pragma once
// One kernel of a training step: what it computes (a GEMM shape, attention
// FLOPs, bytes of a memory-bound kernel, an all-to-all), which pass it
// belongs to, and which of DeepSeek's four layer components it is part of.
// Plain data; the cost model turns it into time.
#include <string>

#include "calibration/cost_model.hpp"

namespace v3sim::models {

// kContextRing: context parallelism's ring exchange of K and V beside the core
// attention (bytes per step, ring_steps steps, flops of the attention it overlaps).
enum class KernelKind { kGemm, kAttention, kMemory, kAllToAll, kAllReduce, kContextRing };

// Forward, backward for inputs (the I of zero-bubble schedules) and backward
// for weights (W).
enum class Pass { kForward, kInput, kWeight };

// DeepSeek-V3 splits a layer into attention, dispatch, MLP and combine; the
// overlapped chunk pair interleaves these components of two chunks.
enum class Component { kAttention, kDispatch, kMlp, kCombine };

// DeepEP's notify kernel: each rank sends its token counts to every peer of
// the EP group and waits for theirs before any token moves. Its time is a
// launch plus what the step simulates: the round of messages and the wait
// for the last peer (docs/ep-communication.md).
inline constexpr const char* kNotifyClass = "ep_notify";

// The backward class of a forward attention class: MLA's ("attention_fwd",
// fitted on DeepSeek's trace) or any other attention's ("attention_fwd_mha").
inline std::string backward_attention_class(const std::string& forward) {
  return forward == "attention_fwd" ? "attention_bwd" : "attention_bwd_mha";
}

struct KernelOp {
  std::string name;
  KernelKind kind = KernelKind::kMemory;
  Pass pass = Pass::kForward;
  Component component = Component::kAttention;
  calibration::GemmShape shape;  // kGemm
  calibration::GemmPrecision precision = calibration::GemmPrecision::kFp8;
  double flops = 0;        // executed FLOPs (GEMM, attention)
  double model_flops = 0;  // FLOPs counted for MFU: recomputation excluded
  double bytes = 0;        // kMemory: read plus written; kAllReduce: payload per GPU
  // kAllToAll: tokens this GPU sends (each to up to topk experts), their
  // direction and wire format.
  double tokens = 0;
  int ring_steps = 0;  // kContextRing: transfers to the next context-parallel GPU
  std::string beside_class;  // kContextRing: the forward attention's kernel class it overlaps
  bool to_experts = true;
  // kAllToAll to the experts: the tokens travel in FP8. From the experts (a
  // combine): its backward sends the gradients to the experts in FP8.
  bool fp8 = false;
  double saved_bytes = 0;          // forward: activations kept for the backward pass
  bool recompute_in_backward = false;  // forward: run again at the start of backward
  double output_bytes = 0;  // forward, recomputed: what keeping its output instead would hold
  // The kernel class of calibration/reference/kernel_classes.json this kernel
  // is costed and reported under (a profile may calibrate each class).
  std::string kernel_class;
  int launches = 1;  // kernels of this op (the framework's small ops come as one op of many launches)
  // kGemm with groups: one kernel per group (Transformer Engine's
  // GroupedLinear runs a GEMM per expert), each of the group's shape.
  bool kernel_per_group = false;
  // The host waits for the GPU's work before it issues this op (a value
  // copied to the host: Megatron's token counts before the dispatch).
  bool host_sync = false;
  // Runs on the communication stream (on the comm SMs) though it is not an
  // all-to-all: DeepEP's layout and notify kernels, the cast before a
  // gradient dispatch.
  bool comm_stream = false;
  // Runs on the second compute stream (the framework issues part of the
  // weight-gradient GEMMs there, beside the first).
  bool second_stream = false;
  // kGemm: its input activation is cached in a low-precision format that the
  // backward dequantises first (the FP8 recipe's cast_back).
  bool cached_input = false;
  // kAttention: what its backward's pre-processing (dO.O row sums) and
  // post-processing (dQ from FP32 to BF16) kernels move.
  double backward_pre_bytes = 0;
  double backward_post_bytes = 0;
};

}  // namespace v3sim::models
