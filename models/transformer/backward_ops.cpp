// The backward pass derived from the forward kernels. Rules (docs/training-model.md):
// a GEMM y = xW gives an input-gradient GEMM dx = dy W^T and a
// weight-gradient GEMM dW = x^T dy of the same FLOPs; attention backward
// executes 2.5x its forward FLOPs (the scores are recomputed) and counts 2x
// for MFU; a memory-bound kernel moves 1.5x its forward bytes (reads dy and x,
// writes dx); an all-to-all runs the reverse direction. Kernels marked for
// recomputation run again, un-counted for MFU, before their component's
// gradients.
//
// The FP8 recipe adds, per FP8 GEMM: the cached input dequantised
// (cast_back) where it was cached in FP8 or E5M6, dy cast per 1x128 tile and
// the scale prologue before the dgrad, and x and dy cast-transposed for the
// wgrad (whose K is the token count, so its operands are quantised along the
// tokens). The routed experts' wgrad GEMMs run one kernel per expert, half of
// them on the second compute stream, with their cast-transposes in the
// weight pass, as in the profiled framework.
#include "models/transformer/layer_ops.hpp"

#include "models/transformer/element_bytes.hpp"

namespace v3sim::models {
namespace {

KernelOp derived(const KernelOp& f, Pass pass, const std::string& name) {
  KernelOp b = f;
  b.pass = pass;
  b.name = name;
  b.saved_bytes = 0;
  b.recompute_in_backward = false;
  b.cached_input = false;
  b.host_sync = false;  // the backward reuses the forward's counts
  return b;
}

KernelOp memory_op(const KernelOp& f, Pass pass, const std::string& name, const std::string& cls, double bytes) {
  KernelOp m = derived(f, pass, name);
  m.kind = KernelKind::kMemory;
  m.kernel_class = cls;
  m.bytes = bytes;
  m.flops = m.model_flops = 0;
  m.launches = 1;
  m.kernel_per_group = false;
  m.second_stream = false;
  return m;
}

bool fp8_gemm(const KernelOp& f) { return f.kind == KernelKind::kGemm && f.precision == calibration::GemmPrecision::kFp8; }

// What a forward memory-bound kernel's gradient is (class, bytes factor);
// empty class: it has none (casts, prologues, top-k, small framework ops).
std::pair<std::string, double> memory_gradient(const std::string& cls) {
  if (cls == "rmsnorm") return {"rmsnorm_bwd", 1.5};
  if (cls == "swiglu") return {"swiglu", 1.5};
  if (cls == "rope" || cls == "copy") return {cls, 1.0};
  if (cls == "permute") return {"unpermute", 1.0};
  if (cls == "unpermute") return {"permute", 1.0};
  if (cls == "embedding" || cls == "loss") return {cls, 1.5};
  return {"", 0};
}

void gemm_backward(const KernelOp& f, std::vector<KernelOp>& input, std::vector<KernelOp>& weight) {
  const double rows = static_cast<double>(f.shape.m) * f.shape.groups;
  const bool fp8 = fp8_gemm(f);
  const bool grouped = f.shape.groups > 1;
  if (fp8) {
    if (f.cached_input)
      input.push_back(memory_op(f, Pass::kInput, f.name + "_cast_back", "cast_back",
                                rows * f.shape.k * (kFp8Scaled + kBf16)));
    input.push_back(memory_op(f, Pass::kInput, f.name + "_dgrad_cast", "cast_fp8", rows * f.shape.n * (kBf16 + kFp8Scaled)));
    input.push_back(memory_op(f, Pass::kInput, f.name + "_dgrad_setup", "gemm_setup", 0));
  }
  KernelOp d = derived(f, Pass::kInput, f.name + "_dgrad");
  d.shape = {f.shape.m, f.shape.k, f.shape.n, f.shape.groups};
  input.push_back(d);

  std::vector<KernelOp>& transposes = grouped ? weight : input;
  if (fp8) {
    transposes.push_back(memory_op(f, grouped ? Pass::kWeight : Pass::kInput, f.name + "_wgrad_x_transpose",
                                   "cast_transpose", rows * f.shape.k * (kBf16 + kFp8Scaled)));
    transposes.push_back(memory_op(f, grouped ? Pass::kWeight : Pass::kInput, f.name + "_wgrad_dy_transpose",
                                   "cast_transpose", rows * f.shape.n * (kBf16 + kFp8Scaled)));
  }
  KernelOp w = derived(f, Pass::kWeight, f.name + "_wgrad");
  w.kernel_per_group = false;  // its shape is one expert's
  if (fp8) w.kernel_class = "gemm_wgrad";
  if (!grouped) {
    w.shape = {f.shape.k, f.shape.n, f.shape.m, 1};
    weight.push_back(w);
    return;
  }
  // One kernel per expert, alternating between the two compute streams.
  const int experts = f.shape.groups;
  w.shape = {f.shape.k, f.shape.n, f.shape.m, 1};
  const double per_expert_flops = f.flops / experts, per_expert_model = f.model_flops / experts;
  KernelOp second = w;
  w.launches = (experts + 1) / 2;
  second.launches = experts / 2;
  second.second_stream = true;
  second.name = f.name + "_wgrad_second_stream";
  for (KernelOp* op : {&w, &second}) {
    op->flops = per_expert_flops * op->launches;
    op->model_flops = per_expert_model * op->launches;
    if (op->launches > 0) weight.push_back(*op);
  }
}

void input_gradient(const KernelOp& f, bool fp8, std::vector<KernelOp>& input, std::vector<KernelOp>& weight) {
  switch (f.kind) {
    case KernelKind::kGemm: gemm_backward(f, input, weight); return;
    case KernelKind::kAttention: {
      input.push_back(memory_op(f, Pass::kInput, "core_attention_bwd_pre", "attention_bwd_pre", f.backward_pre_bytes));
      KernelOp b = derived(f, Pass::kInput, f.name + "_dgrad");
      b.kernel_class = backward_attention_class(f.kernel_class);
      b.flops = 2.5 * f.flops;
      b.model_flops = 2 * f.model_flops;
      input.push_back(b);
      input.push_back(memory_op(f, Pass::kInput, "core_attention_bwd_post", "attention_bwd_post", f.backward_post_bytes));
      return;
    }
    case KernelKind::kMemory: {
      if (f.comm_stream) return;  // layout and notify kernels: the backward has its own
      const auto [cls, factor] = memory_gradient(f.kernel_class);
      if (cls.empty()) return;
      KernelOp b = derived(f, Pass::kInput, f.name + "_dgrad");
      b.kernel_class = cls;
      b.bytes = factor * f.bytes;
      input.push_back(b);
      return;
    }
    case KernelKind::kAllToAll: {
      // Gradients travel back: the combine's backward carries them to the
      // experts (FP8 in the V3 recipe, cast on the comm stream first) with
      // the cached layout; the dispatch's backward returns them reduced, in
      // BF16, by a combine kernel.
      KernelOp b = derived(f, Pass::kInput, f.name + "_backward");
      b.to_experts = !f.to_experts;
      b.fp8 = b.to_experts && fp8 && f.fp8;  // the combine's flag: its gradients' wire format
      b.kernel_class = b.to_experts ? "ep_dispatch" : "ep_combine";
      if (b.fp8) {
        KernelOp cast = memory_op(f, Pass::kInput, f.name + "_backward_cast", "cast_fp8", f.bytes * (kBf16 + kFp8Scaled) / kBf16);
        cast.comm_stream = true;
        input.push_back(cast);
      }
      KernelOp notify = memory_op(f, Pass::kInput, f.name + "_backward_notify", kNotifyClass, 0);
      notify.comm_stream = true;
      input.push_back(notify);
      input.push_back(b);
      return;
    }
    case KernelKind::kAllReduce: input.push_back(derived(f, Pass::kInput, f.name + "_dgrad")); return;
    case KernelKind::kContextRing: {
      // Backward sends K and V round again with their gradients: twice the bytes.
      KernelOp b = derived(f, Pass::kInput, f.name + "_backward");
      b.bytes = 2 * f.bytes;
      input.push_back(b);
      return;
    }
  }
}

KernelOp recomputation(const KernelOp& f) {
  KernelOp r = derived(f, Pass::kInput, f.name + "_recompute");
  r.model_flops = 0;
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
    for (std::size_t i = end; i-- > begin;) input_gradient(forward[i], fp8, input, weight);
    end = begin;
  }
  input.insert(input.end(), weight.begin(), weight.end());
  return input;
}

}  // namespace v3sim::models
