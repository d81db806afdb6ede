#include "models/transformer/model_config.hpp"

#include <string_view>
#include <utility>

#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace presets {
extern const std::string_view kModelsJson;
}

namespace {

const nlohmann::json& catalogue() {
  static const nlohmann::json doc = nlohmann::json::parse(presets::kModelsJson);
  return doc.at("models");
}

struct Field {
  const char* key;
  int ModelConfig::*member;
  int min;
};

const Field kFields[] = {
    {"layers", &ModelConfig::layers, 1},
    {"dense_layers", &ModelConfig::dense_layers, 0},
    {"hidden", &ModelConfig::hidden, 1},
    {"vocab", &ModelConfig::vocab, 1},
    {"dense_intermediate", &ModelConfig::dense_intermediate, 0},
    {"heads", &ModelConfig::heads, 1},
    {"kv_heads", &ModelConfig::kv_heads, 0},
    {"head_dim", &ModelConfig::head_dim, 1},
    {"q_lora_rank", &ModelConfig::q_lora_rank, 0},
    {"kv_lora_rank", &ModelConfig::kv_lora_rank, 0},
    {"qk_nope_head_dim", &ModelConfig::qk_nope_head_dim, 0},
    {"qk_rope_head_dim", &ModelConfig::qk_rope_head_dim, 0},
    {"v_head_dim", &ModelConfig::v_head_dim, 0},
    {"routed_experts", &ModelConfig::routed_experts, 0},
    {"shared_experts", &ModelConfig::shared_experts, 0},
    {"expert_intermediate", &ModelConfig::expert_intermediate, 0},
    {"topk", &ModelConfig::topk, 0},
    {"expert_groups", &ModelConfig::expert_groups, 1},
    {"group_limit", &ModelConfig::group_limit, 1},
    {"mtp_depth", &ModelConfig::mtp_depth, 0},
};

std::vector<std::string> field_keys() {
  std::vector<std::string> keys{"attention", "tied_embeddings", "shared_expert_intermediate"};
  for (const Field& f : kFields) keys.push_back(f.key);
  return keys;
}

void read_fields(ModelConfig& m, const nlohmann::json& value, const std::string& pointer, bool all_required) {
  sim::ObjectReader in(value, pointer);
  std::vector<std::string> keys = field_keys();
  if (all_required) keys.insert(keys.end(), {"source"});
  in.only_keys(keys);
  if (all_required) m.source = in.string("source");
  if (all_required || in.has("attention"))
    m.attention = in.one_of("attention", {"mla", "gqa"}) == "mla" ? AttentionKind::kMla : AttentionKind::kGqa;
  for (const Field& f : kFields)
    if (all_required || in.has(f.key)) m.*f.member = static_cast<int>(in.integer(f.key, f.min, 1 << 24));
  m.tied_embeddings = in.optional_boolean("tied_embeddings").value_or(m.tied_embeddings);
  // Optional in presets too: only models whose shared expert has its own width name it.
  if (in.has("shared_expert_intermediate"))
    m.shared_expert_intermediate = static_cast<int>(in.integer("shared_expert_intermediate", 0, 1 << 24));
}

// Consistency a single field's range cannot express.
void check(const ModelConfig& m, const std::string& pointer) {
  auto fail = [&](const std::string& what) { throw sim::InputError(pointer, "model " + m.name + ": " + what); };
  if (m.dense_layers > m.layers) fail("dense_layers exceeds layers");
  if (m.is_moe()) {
    if (m.topk < 1 || m.topk > m.routed_experts) fail("topk must be between 1 and routed_experts");
    if (m.expert_intermediate < 1) fail("expert_intermediate must be positive for an MoE model");
    if (m.routed_experts % m.expert_groups != 0) fail("routed_experts must divide into expert_groups");
    if (m.group_limit > m.expert_groups) fail("group_limit exceeds expert_groups");
  } else if (m.dense_layers != m.layers) {
    fail("a dense model (routed_experts 0) needs dense_layers equal to layers");
  }
  if (m.dense_layers > 0 && m.dense_intermediate < 1) fail("dense_intermediate must be positive");
  if (m.attention == AttentionKind::kMla) {
    if (m.kv_lora_rank < 1 || m.qk_nope_head_dim + m.qk_rope_head_dim < 1 || m.v_head_dim < 1)
      fail("mla needs kv_lora_rank, qk head dims and v_head_dim");
  } else if (m.kv_heads < 1 || m.heads % m.kv_heads != 0) {
    fail("gqa needs kv_heads dividing heads");
  }
}

}  // namespace

const std::vector<std::string>& model_preset_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (auto it = catalogue().begin(); it != catalogue().end(); ++it) n.push_back(it.key());
    return n;
  }();
  return names;
}

ModelConfig model_preset(const std::string& name, const nlohmann::json& overrides, const std::string& name_pointer,
                         const std::string& overrides_pointer) {
  if (!catalogue().contains(name)) {
    std::string msg = "unknown model preset \"" + name + "\"";
    if (auto near = sim::nearest(name, model_preset_names())) msg += " (did you mean \"" + *near + "\"?)";
    throw sim::InputError(name_pointer, msg);
  }
  ModelConfig m;
  m.name = name;
  read_fields(m, catalogue().at(name), "/models/" + name, true);
  return with_overrides(std::move(m), overrides, name_pointer, overrides_pointer);
}

ModelConfig with_overrides(ModelConfig m, const nlohmann::json& overrides, const std::string& base_pointer,
                           const std::string& overrides_pointer) {
  read_fields(m, overrides, overrides_pointer, false);
  check(m, overrides.empty() ? base_pointer : overrides_pointer);
  return m;
}

}  // namespace v3sim::models
