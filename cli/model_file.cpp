#include "cli/model_file.hpp"

#include "cli/json_locator.hpp"
#include "cli/scenario_loader.hpp"
#include "models/transformer/hf_config.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::cli {

namespace fs = std::filesystem;

std::string model_file_name(const fs::path& file) {
  std::string stem = file.stem().string();
  const std::string suffix = ".config";
  if (stem.size() > suffix.size() && stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0)
    stem.resize(stem.size() - suffix.size());
  if (stem == "config") {
    const std::string folder = file.parent_path().filename().string();
    if (!folder.empty() && folder != "." && folder != "..") return folder;
  }
  return stem;
}

models::ModelFileReader model_file_reader(const std::string& scenario_path) {
  const fs::path base = fs::path(scenario_path).parent_path();
  return [base](const std::string& model, const std::string& pointer) {
    fs::path file = fs::path(model).is_absolute() ? fs::path(model) : base / model;
    std::error_code ec;
    if (fs::is_directory(file, ec)) file /= "config.json";
    if (!fs::exists(file, ec))
      throw sim::InputError(pointer, "no model preset or HuggingFace config named \"" + model + "\" (no file " +
                                         file.string() + "; a relative path is read from the scenario's folder)");
    // A device or pipe (/dev/zero) would be read without end.
    if (!fs::is_regular_file(file, ec))
      throw sim::InputError(pointer, file.string() + " is not a regular file, expected a HuggingFace config.json");
    const std::string shown = file.lexically_normal().string();
    std::string text;
    const nlohmann::json config = read_json_file(shown, text);
    try {
      return models::model_from_hf_config(config, model_file_name(file), "HuggingFace config " + shown);
    } catch (const sim::InputError& e) {
      throw InputFailure(shown + ":" + std::to_string(line_of_pointer(text, e.pointer())) + ": " + e.pointer() + ": " +
                         e.what());
    }
  };
}

}  // namespace v3sim::cli
