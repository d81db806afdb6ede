// The backward pass derived from the forward kernels. Rules (docs/training-model.md):
// a GEMM y = xW gives an input-gradient GEMM dx = dy W^T and a
// weight-gradient GEMM dW = x^T dy of the same FLOPs; attention backward
// executes 2.5x its forward FLOPs (the scores are recomputed) and counts 2x
// for MFU; a memory-bound kernel moves 1.5x its forward bytes (reads dy and x,
// writes dx); an all-to-all runs the reverse direction. Kernels marked for
// recomputation run again, un-counted for MFU, before their component's
// gradients.
#include "models/transformer/layer_ops.hpp"

namespace v3sim::models {
namespace {

KernelOp input_gradient(const KernelOp& f, bool fp8) {
  KernelOp b = f;
  b.pass = Pass::kInput;
  b.saved_bytes = 0;
  b.recompute_in_backward = false;
  b.name = f.name + "_dgrad";
  switch (f.kind) {
    case KernelKind::kGemm: b.shape = {f.shape.m, f.shape.k, f.shape.n, f.shape.groups}; break;
    case KernelKind::kAttention:
      b.flops = 2.5 * f.flops;
      b.model_flops = 2 * f.model_flops;
      break;
    case KernelKind::kMemory: b.bytes = 1.5 * f.bytes; break;
    case KernelKind::kAllToAll:
      // Gradients travel back: the combine's backward carries them to the
      // experts (FP8 in the V3 recipe), the dispatch's backward returns them
      // reduced, in BF16.
      b.to_experts = !f.to_experts;
      b.fp8 = b.to_experts && fp8;
      b.name = f.name + "_backward";
      break;
    case KernelKind::kAllReduce: break;
  }
  return b;
}

KernelOp weight_gradient(const KernelOp& f) {
  KernelOp w = f;
  w.pass = Pass::kWeight;
  w.saved_bytes = 0;
  w.recompute_in_backward = false;
  w.name = f.name + "_wgrad";
  w.shape = {f.shape.k, f.shape.n, f.shape.m, f.shape.groups};
  return w;
}

KernelOp recomputation(const KernelOp& f) {
  KernelOp r = f;
  r.pass = Pass::kInput;
  r.saved_bytes = 0;
  r.recompute_in_backward = false;
  r.model_flops = 0;
  r.name = f.name + "_recompute";
  return r;
}

}  // namespace

std::vector<KernelOp> backward_ops(const std::vector<KernelOp>& forward, bool fp8) {
  std::vector<KernelOp> input, weight;
  // Walk the forward kernels' component runs from last to first.
  std::size_t end = forward.size();
  while (end > 0) {
    std::size_t begin = end - 1;
    while (begin > 0 && forward[begin - 1].component == forward[end - 1].component) --begin;
    for (std::size_t i = begin; i < end; ++i)
      if (forward[i].recompute_in_backward) input.push_back(recomputation(forward[i]));
    for (std::size_t i = end; i-- > begin;) {
      input.push_back(input_gradient(forward[i], fp8));
      if (forward[i].kind == KernelKind::kGemm) weight.push_back(weight_gradient(forward[i]));
    }
    end = begin;
  }
  input.insert(input.end(), weight.begin(), weight.end());
  return input;
}

}  // namespace v3sim::models
