#include "models/transformer/parameters.hpp"

namespace v3sim::models {
namespace {

double attention_parameters(const ModelConfig& m) {
  const double h = m.hidden, heads = m.heads;
  double p = h;  // its RMSNorm
  if (m.attention == AttentionKind::kMla) {
    const double qk = m.qk_head_dim();
    p += m.q_lora_rank > 0 ? h * m.q_lora_rank + m.q_lora_rank + m.q_lora_rank * heads * qk : h * heads * qk;
    p += h * (m.kv_lora_rank + m.qk_rope_head_dim) + m.kv_lora_rank;
    p += m.kv_lora_rank * heads * (m.qk_nope_head_dim + m.v_head_dim);
    p += heads * m.v_head_dim * h;
  } else {
    p += h * (heads + 2.0 * m.kv_heads) * m.head_dim + heads * m.head_dim * h;
  }
  return p;
}

double ffn_parameters(const ModelConfig& m, double intermediate) { return 3.0 * m.hidden * intermediate; }

BlockParameters moe_parameters(const ModelConfig& m) {
  BlockParameters p;
  p.dense = m.hidden + static_cast<double>(m.routed_experts) * m.hidden +
            m.shared_experts * ffn_parameters(m, m.shared_width());
  p.routed = m.routed_experts * ffn_parameters(m, m.expert_intermediate);
  return p;
}

}  // namespace

BlockParameters block_parameters(const ModelConfig& m, BlockKind block) {
  BlockParameters p;
  switch (block) {
    case BlockKind::kEmbedding: p.dense = static_cast<double>(m.vocab) * m.hidden; break;
    case BlockKind::kHead: p.dense = static_cast<double>(m.vocab) * m.hidden + m.hidden; break;
    case BlockKind::kDenseLayer:
      p.dense = attention_parameters(m) + m.hidden + ffn_parameters(m, m.dense_intermediate);
      break;
    case BlockKind::kMoeLayer:
      p = moe_parameters(m);
      p.dense += attention_parameters(m);
      break;
    case BlockKind::kMtp:
      // Two RMSNorms and the 2h -> h projection, then one transformer block.
      p = m.is_moe() ? moe_parameters(m) : BlockParameters{m.hidden + ffn_parameters(m, m.dense_intermediate), 0};
      p.dense += attention_parameters(m) + 2.0 * m.hidden + 2.0 * m.hidden * m.hidden;
      break;
  }
  return p;
}

double tied_head_saving(const ModelConfig& m) { return m.tied_embeddings ? static_cast<double>(m.vocab) * m.hidden : 0; }

double total_parameters(const ModelConfig& m) {
  return block_parameters(m, BlockKind::kEmbedding).total() + block_parameters(m, BlockKind::kHead).total() -
         tied_head_saving(m) +
         m.dense_layers * block_parameters(m, BlockKind::kDenseLayer).total() +
         m.moe_layers() * block_parameters(m, BlockKind::kMoeLayer).total();
}

double activated_parameters(const ModelConfig& m) {
  double p = total_parameters(m);
  if (m.is_moe())
    p -= m.moe_layers() * ffn_parameters(m, m.expert_intermediate) * (m.routed_experts - m.topk);
  return p;
}

}  // namespace v3sim::models
