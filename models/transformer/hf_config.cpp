#include "models/transformer/hf_config.hpp"

#include <cctype>
#include <map>
#include <optional>
#include <utility>

#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

using sim::InputError;
using sim::ObjectReader;

// The range presets accept (models/transformer/model_config.cpp).
constexpr long long kMaxDim = 1 << 24;

// transformers' architecture class names, for configs that omit model_type.
const std::pair<const char*, const char*> kArchitectures[] = {
    {"DeepseekV3ForCausalLM", "deepseek_v3"}, {"DeepseekV2ForCausalLM", "deepseek_v2"},
    {"LlamaForCausalLM", "llama"},            {"MixtralForCausalLM", "mixtral"},
    {"Qwen2MoeForCausalLM", "qwen2_moe"},
    {"Qwen3MoeForCausalLM", "qwen3_moe"},
};

// The digits of a name, in order: its family's version.
std::string digits(const std::string& s) {
  std::string d;
  for (char c : s)
    if (std::isdigit(static_cast<unsigned char>(c))) d += c;
  return d;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) out += (i ? ", " : "") + words[i];
  return out;
}

int required(ObjectReader& in, const std::string& key, long long min, long long max = kMaxDim) {
  return static_cast<int>(in.integer(key, min, max));
}

// transformers writes an unset optional field as null: null reads as absent.
std::optional<int> optional(ObjectReader& in, const std::string& key, long long min, long long max = kMaxDim) {
  const nlohmann::json* v = in.child(key);
  if (!v || v->is_null()) return std::nullopt;
  return required(in, key, min, max);
}

// A field every config of the type carries, where null means "none" (as
// DeepSeek-V2-Lite's q_lora_rank: queries are not compressed).
int required_or_null(ObjectReader& in, const std::string& key) {
  const nlohmann::json* v = in.child(key);
  if (v && v->is_null()) return 0;
  return required(in, key, 0);
}

std::string model_type(ObjectReader& in) {
  if (const nlohmann::json* t = in.child("model_type"); t && !t->is_null()) {
    const std::string type = in.string("model_type");
    for (const std::string& known : hf_model_types())
      if (type == known) return type;
    std::string msg = "unsupported model_type \"" + type + "\" (v3sim maps " + joined(hf_model_types()) + ")";
    // A misspelling, never another version: a name one digit away is another
    // family (qwen2_moe's shared expert, which qwen3_moe lacks; llama4's
    // experts) that would silently drop or invent a component.
    if (auto near = sim::nearest(type, hf_model_types()); near && digits(*near) == digits(type))
      msg += "; did you mean \"" + *near + "\"?";
    throw InputError("/model_type", msg);
  }
  if (const nlohmann::json* arch = in.child("architectures")) {
    if (!arch->is_array()) throw InputError("/architectures", "expected an array of class names, got " + sim::json_type_name(*arch));
    for (const nlohmann::json& a : *arch)
      for (const auto& [cls, type] : kArchitectures)
        if (a.is_string() && a.get<std::string>() == cls) return type;
    std::vector<std::string> classes;
    for (const auto& entry : kArchitectures) classes.push_back(entry.first);
    throw InputError("/architectures", "no supported architecture in " + arch->dump() + " (v3sim maps " + joined(classes) + ")");
  }
  throw InputError("/model_type", "missing required field 'model_type' (or 'architectures' naming the model class)");
}

// Grouped-query attention as Llama, Mixtral and Qwen3 define it: without
// num_key_value_heads every head has its own K/V; without head_dim a head is
// hidden_size / num_attention_heads wide (Qwen3 sets it apart from that).
void read_gqa(ObjectReader& in, ModelConfig& m) {
  m.attention = AttentionKind::kGqa;
  m.kv_heads = optional(in, "num_key_value_heads", 1).value_or(m.heads);
  if (m.heads % m.kv_heads != 0)
    throw InputError("/num_key_value_heads", "expected a divisor of num_attention_heads (" + std::to_string(m.heads) +
                                                 "), got " + std::to_string(m.kv_heads));
  if (auto head_dim = optional(in, "head_dim", 1)) {
    m.head_dim = *head_dim;
  } else {
    if (m.hidden % m.heads != 0)
      throw InputError("/num_attention_heads", "expected a divisor of hidden_size (" + std::to_string(m.hidden) +
                                                   ") when head_dim is not given");
    m.head_dim = m.hidden / m.heads;
  }
}

// A dense FFN width, needed only where the model has dense layers.
void read_dense_intermediate(ObjectReader& in, ModelConfig& m) {
  if (m.dense_layers > 0)
    m.dense_intermediate = required(in, "intermediate_size", 1);
  else
    m.dense_intermediate = optional(in, "intermediate_size", 1).value_or(0);
}

void read_deepseek(ObjectReader& in, ModelConfig& m) {
  m.attention = AttentionKind::kMla;
  m.kv_heads = optional(in, "num_key_value_heads", 1).value_or(m.heads);
  m.q_lora_rank = required_or_null(in, "q_lora_rank");
  m.kv_lora_rank = required(in, "kv_lora_rank", 1);
  m.qk_nope_head_dim = required(in, "qk_nope_head_dim", 0);
  m.qk_rope_head_dim = required(in, "qk_rope_head_dim", 0);
  m.v_head_dim = required(in, "v_head_dim", 1);
  // MLA heads have no single width; the presets record v_head_dim here (unused for MLA).
  m.head_dim = m.v_head_dim;
  m.routed_experts = required(in, "n_routed_experts", 1);
  m.shared_experts = required_or_null(in, "n_shared_experts");
  m.expert_intermediate = required(in, "moe_intermediate_size", 1);
  m.topk = required(in, "num_experts_per_tok", 1, m.routed_experts);
  m.expert_groups = optional(in, "n_group", 1).value_or(1);
  if (m.routed_experts % m.expert_groups != 0)
    throw InputError("/n_group", "expected a divisor of n_routed_experts (" + std::to_string(m.routed_experts) + ")");
  m.group_limit = optional(in, "topk_group", 1, m.expert_groups).value_or(1);
  m.dense_layers = optional(in, "first_k_dense_replace", 0, m.layers).value_or(0);
  // moe_layer_freq k makes every k-th layer after the dense prefix MoE; v3sim
  // models only a dense prefix followed by MoE layers.
  if (auto freq = optional(in, "moe_layer_freq", 1); freq && *freq != 1)
    throw InputError("/moe_layer_freq", "expected 1 (v3sim models dense layers only before the MoE layers), got " +
                                            std::to_string(*freq));
  read_dense_intermediate(in, m);
  m.mtp_depth = optional(in, "num_nextn_predict_layers", 0).value_or(0);
}

void read_mixtral(ObjectReader& in, ModelConfig& m) {
  read_gqa(in, m);
  // Every layer is MoE and intermediate_size is each expert's width.
  m.routed_experts = required(in, "num_local_experts", 1);
  m.topk = required(in, "num_experts_per_tok", 1, m.routed_experts);
  m.expert_intermediate = required(in, "intermediate_size", 1);
}

// transformers' Qwen3MoeDecoderLayer (and Qwen2MoeDecoderLayer): layer i is
// MoE unless i is listed in mlp_only_layers or (i + 1) is not a multiple of
// decoder_sparse_step.
void read_qwen3_moe(ObjectReader& in, ModelConfig& m) {
  read_gqa(in, m);
  m.routed_experts = required(in, "num_experts", 1);
  m.topk = required(in, "num_experts_per_tok", 1, m.routed_experts);
  m.expert_intermediate = required(in, "moe_intermediate_size", 1);
  const int step = optional(in, "decoder_sparse_step", 1).value_or(1);
  std::map<int, int> listed_at;  // layer -> its index in mlp_only_layers (a map: layers may be up to 2^24)
  if (const nlohmann::json* only = in.child("mlp_only_layers"); only && !only->is_null()) {
    if (!only->is_array()) throw InputError("/mlp_only_layers", "expected an array of layer indices, got " + sim::json_type_name(*only));
    for (std::size_t j = 0; j < only->size(); ++j) {
      const nlohmann::json& v = (*only)[j];
      if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() >= m.layers)
        throw InputError("/mlp_only_layers/" + std::to_string(j),
                         "expected a layer index in [0, " + std::to_string(m.layers - 1) + "], got " + v.dump());
      listed_at.emplace(v.get<int>(), static_cast<int>(j));
    }
  }
  int first_moe = -1;
  for (int i = 0; i < m.layers; ++i) {
    const auto listed = listed_at.find(i);
    const bool moe = listed == listed_at.end() && (i + 1) % step == 0;
    if (moe && first_moe < 0) first_moe = i;
    if (!moe && first_moe >= 0) {
      const std::string why = "layer " + std::to_string(i) + " is dense after MoE layer " + std::to_string(first_moe) +
                              ": v3sim models dense layers only before the MoE layers";
      throw InputError(listed != listed_at.end() ? "/mlp_only_layers/" + std::to_string(listed->second) : "/decoder_sparse_step",
                       why);
    }
  }
  if (first_moe < 0) {  // every layer dense: a dense model
    m.routed_experts = m.topk = m.expert_intermediate = 0;
    m.dense_layers = m.layers;
  } else {
    m.dense_layers = first_moe;
  }
  read_dense_intermediate(in, m);
}

// Qwen2-MoE (Qwen1.5-MoE, Qwen2-57B-A14B): Qwen3-MoE's layout plus one
// shared expert of its own width beside the routed ones in every MoE layer
// (its sigmoid gate, hidden_size weights a layer, is left out).
void read_qwen2_moe(ObjectReader& in, ModelConfig& m) {
  read_qwen3_moe(in, m);
  if (!m.is_moe()) return;
  m.shared_experts = 1;
  m.shared_expert_intermediate = required(in, "shared_expert_intermediate_size", 1);
}

}  // namespace

const std::vector<std::string>& hf_model_types() {
  static const std::vector<std::string> types = {"deepseek_v3", "deepseek_v2", "llama", "mixtral", "qwen2_moe", "qwen3_moe"};
  return types;
}

ModelConfig model_from_hf_config(const nlohmann::json& config, const std::string& fallback_name,
                                 const std::string& source) {
  ObjectReader in(config, "");
  const std::string type = model_type(in);
  ModelConfig m;
  const std::optional<std::string> hf_name = in.optional_string("_name_or_path");
  m.name = hf_name && !hf_name->empty() ? *hf_name : fallback_name;
  m.source = source;
  m.hidden = required(in, "hidden_size", 1);
  m.layers = required(in, "num_hidden_layers", 1);
  m.heads = required(in, "num_attention_heads", 1);
  m.vocab = required(in, "vocab_size", 1);
  // The five families' config classes default to untied (Llama 3.2 1B and 3B
  // tie); null reads as absent.
  if (const nlohmann::json* tied = in.child("tie_word_embeddings"); tied && !tied->is_null())
    m.tied_embeddings = in.optional_boolean("tie_word_embeddings").value_or(false);
  // Defaults of a model without MoE routing groups or MTP modules.
  m.expert_groups = m.group_limit = 1;
  if (type == "deepseek_v3" || type == "deepseek_v2") {
    read_deepseek(in, m);
  } else if (type == "llama") {
    read_gqa(in, m);
    m.dense_layers = m.layers;
    read_dense_intermediate(in, m);
  } else if (type == "mixtral") {
    read_mixtral(in, m);
  } else if (type == "qwen2_moe") {
    read_qwen2_moe(in, m);
  } else {
    read_qwen3_moe(in, m);
  }
  return m;
}

}  // namespace v3sim::models
