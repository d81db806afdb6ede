// Activation recomputation and sequence parallelism against closed forms:
// a GEMM's backward is two GEMMs of its size (dX and dW), so without
// recomputation a layer's GEMMs execute 3x their forward FLOPs and with full
// recomputation 4x; full recomputation keeps the layer's input alone; with
// sequence parallelism each norm holds tokens/tp rows.
#include <gtest/gtest.h>

#include "models/transformer/layer_ops.hpp"

namespace v3sim::models {
namespace {

double gemm_flops(const std::vector<KernelOp>& ops, bool forward_only) {
  double sum = 0;
  for (const KernelOp& op : ops)
    if (op.kind == KernelKind::kGemm && (!forward_only || op.pass == Pass::kForward)) sum += op.flops;
  return sum;
}

OpContext context(Recompute r, int tp = 1, bool sp = false) {
  OpContext c;
  c.seq_len = 4096;
  c.tp = tp;
  c.fp8 = false;
  c.recompute = r;
  c.sequence_parallel = sp;
  return c;
}

// Llama 3 70B's dense layer has no recomputed GEMM in the selective recipe
// (its up-projections are MLA's), so none and selective both give 3x.
TEST(Recompute, GemmWorkIsThreeForwardsOrFourWithFullRecomputation) {
  const ModelConfig m = model_preset("llama3-70b");
  for (Recompute r : {Recompute::kNone, Recompute::kSelective, Recompute::kFull}) {
    const auto ops = block_ops(m, BlockKind::kDenseLayer, context(r));
    const double forward = gemm_flops(ops, true);
    EXPECT_NEAR(gemm_flops(ops, false) / forward, r == Recompute::kFull ? 4.0 : 3.0, 1e-12);
  }
}

TEST(Recompute, FullKeepsTheLayerInputAlone) {
  const ModelConfig m = model_preset("llama3-70b");
  const auto ops = block_ops(m, BlockKind::kDenseLayer, context(Recompute::kFull));
  EXPECT_DOUBLE_EQ(saved_activation_bytes(ops), 4096.0 * 8192 * 2);  // tokens x hidden, BF16
}

TEST(Recompute, NoneKeepsWhatSelectiveRecomputes) {
  // DeepSeek-V3's MoE layer: none keeps strictly more than the V3 recipe,
  // which keeps strictly more than full recomputation; model FLOPs (MFU's
  // numerator) are the same for all three.
  const ModelConfig m = model_preset("deepseek-v3");
  double saved[3], model_flops[3];
  int i = 0;
  for (Recompute r : {Recompute::kNone, Recompute::kSelective, Recompute::kFull}) {
    OpContext c = context(r);
    c.ep = 64;
    c.fp8 = true;
    const auto ops = block_ops(m, BlockKind::kMoeLayer, c);
    saved[i] = saved_activation_bytes(ops);
    model_flops[i++] = pass_model_flops(ops, Pass::kForward) + pass_model_flops(ops, Pass::kInput) +
                       pass_model_flops(ops, Pass::kWeight);
  }
  EXPECT_GT(saved[0], saved[1]);
  EXPECT_GT(saved[1], saved[2]);
  EXPECT_DOUBLE_EQ(model_flops[0], model_flops[1]);
  EXPECT_DOUBLE_EQ(model_flops[1], model_flops[2]);
  // The two RMSNorm outputs (tokens x hidden, BF16) are among what none keeps.
  EXPECT_GE(saved[0] - saved[1], 2 * 4096.0 * 7168 * 2);
}

TEST(SequenceParallel, NormsHoldTokensOverTp) {
  // A dense layer's two residual-add + RMSNorm kernels each keep their sum
  // (tokens x hidden, BF16); sequence parallelism over tp 8 keeps 1/8.
  const ModelConfig m = model_preset("llama3-70b");
  const double plain = saved_activation_bytes(block_ops(m, BlockKind::kDenseLayer, context(Recompute::kSelective, 8)));
  const double sp = saved_activation_bytes(block_ops(m, BlockKind::kDenseLayer, context(Recompute::kSelective, 8, true)));
  EXPECT_DOUBLE_EQ(plain - sp, 2 * 4096.0 * 8192 * 2 * (1 - 1.0 / 8));
}

}  // namespace
}  // namespace v3sim::models
