#pragma once
// A transformer's architecture: the dimensions its ops and parameter counts
// are derived from. Presets are data (models/presets/models.json, compiled
// in); a scenario names one and may override any field.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace v3sim::models {

enum class AttentionKind { kMla, kGqa };

struct ModelConfig {
  std::string name;
  std::string source;
  int layers = 0;        // transformer blocks of the main model
  int dense_layers = 0;  // the first blocks use a dense FFN instead of MoE
  int hidden = 0;
  int vocab = 0;
  int dense_intermediate = 0;
  AttentionKind attention = AttentionKind::kMla;
  int heads = 0;
  int kv_heads = 0;   // gqa
  int head_dim = 0;   // gqa
  int q_lora_rank = 0;  // mla; 0: queries projected directly from the hidden state
  int kv_lora_rank = 0;
  int qk_nope_head_dim = 0;
  int qk_rope_head_dim = 0;
  int v_head_dim = 0;
  int routed_experts = 0;  // 0: dense model
  int shared_experts = 0;
  int expert_intermediate = 0;
  // One shared expert's FFN width when it differs from a routed expert's
  // (Qwen2-MoE's shared_expert_intermediate_size); 0: expert_intermediate,
  // as in DeepSeek's models.
  int shared_expert_intermediate = 0;
  int topk = 0;
  int expert_groups = 1;
  int group_limit = 1;
  int mtp_depth = 0;  // multi-token-prediction modules, sharing embedding and head
  bool tied_embeddings = false;  // the output head reuses the embedding matrix (one copy per rank holding both)

  bool is_moe() const { return routed_experts > 0; }
  int shared_width() const { return shared_expert_intermediate > 0 ? shared_expert_intermediate : expert_intermediate; }
  int moe_layers() const { return is_moe() ? layers - dense_layers : 0; }
  int qk_head_dim() const { return attention == AttentionKind::kMla ? qk_nope_head_dim + qk_rope_head_dim : head_dim; }
  int v_dim() const { return attention == AttentionKind::kMla ? v_head_dim : head_dim; }
};

const std::vector<std::string>& model_preset_names();

// The named preset with `overrides` ({"field": value}) applied. Throws
// sim::InputError naming `name_pointer` for an unknown preset and
// `overrides_pointer`/<field> for a bad override.
ModelConfig model_preset(const std::string& name, const nlohmann::json& overrides = nlohmann::json::object(),
                         const std::string& name_pointer = "", const std::string& overrides_pointer = "");

// `base` (a preset or a mapped HuggingFace config) with `overrides` applied
// and the whole checked; errors name `overrides_pointer`/<field>, or
// `base_pointer` for an inconsistency of the unmodified model.
ModelConfig with_overrides(ModelConfig base, const nlohmann::json& overrides, const std::string& base_pointer,
                           const std::string& overrides_pointer);

}  // namespace v3sim::models
