#pragma once
// A HuggingFace transformers `config.json` mapped onto ModelConfig, so a
// scenario can simulate a published checkpoint without a hand-written preset.
// Only the mapping lives here (JSON in, ModelConfig out): reading the file is
// done where scenario files are read (cli/model_file), since models/ does no
// file I/O. The mapping table and its assumptions are in docs/scenarios.md.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/transformer/model_config.hpp"

namespace v3sim::models {

// The `model_type` values that map: deepseek_v3, deepseek_v2, llama, mixtral, qwen3_moe.
const std::vector<std::string>& hf_model_types();

// `config` is a parsed config.json. The model is named by its `_name_or_path`
// when the config has one, else `fallback_name` (the file's stem); `source`
// says where it came from. Keys the mapping does not use are ignored (a config
// holds many: rope scaling, token ids, quantisation ...). Throws
// sim::InputError whose pointer is inside `config` for an unsupported
// model_type, a missing or ill-typed field, or an architecture v3sim cannot
// express (dense layers after MoE layers).
ModelConfig model_from_hf_config(const nlohmann::json& config, const std::string& fallback_name,
                                 const std::string& source);

}  // namespace v3sim::models
