#pragma once
// Reads the HuggingFace config.json a scenario's "model" names
// (models/transformer/model_source.hpp), next to where scenario files are
// read: a relative path is taken from the scenario file's folder, so a
// scenario and its model config move together; a folder means its
// config.json, as HuggingFace lays out a checkpoint.
#include <filesystem>
#include <string>

#include "models/transformer/model_source.hpp"

namespace v3sim::cli {

// A reader for the models of the scenario at `scenario_path`. A missing file
// is a sim::InputError at the scenario's pointer; a syntax error or a bad
// field inside the config is an InputFailure naming the config file, its line
// and the JSON pointer inside it.
models::ModelFileReader model_file_reader(const std::string& scenario_path);

// The model's name when its config has no _name_or_path: the file's stem
// without a ".config" suffix ("mixtral-8x7b.config.json" -> "mixtral-8x7b"),
// or the folder's name for a file called config.json.
std::string model_file_name(const std::filesystem::path& file);

}  // namespace v3sim::cli
