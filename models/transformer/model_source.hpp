#pragma once
// Where a scenario's "model" comes from: a preset name (models/presets) or
// the path of a HuggingFace config.json (models/transformer/hf_config). The
// file is read by whoever reads the scenario file (the CLI resolves the path
// against the scenario's folder), since models/ does no file I/O; parsing
// code gets a reader and stays pure.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "models/transformer/model_config.hpp"

namespace v3sim::models {

// Reads and maps the model file `path` (as written in the scenario) named at
// the scenario's `pointer`. A problem with the scenario's reference (no such
// file) is a sim::InputError at `pointer`; a problem inside the file is the
// reader's to report, naming the file.
using ModelFileReader = std::function<ModelConfig(const std::string& path, const std::string& pointer)>;

// A model string names a file when it ends in ".json" or holds a '/' (a
// folder holding config.json); preset names have neither.
bool names_model_file(const std::string& model);

// The scenario's model: the preset or the file's mapped config, then
// `overrides` (docs/scenarios.md). Without a reader a file is an error at
// `model_pointer`.
ModelConfig scenario_model(const std::string& model, const nlohmann::json& overrides, const std::string& model_pointer,
                           const std::string& overrides_pointer, const ModelFileReader& files);

}  // namespace v3sim::models
