#include "models/transformer/model_source.hpp"

#include "sim/json_reader.hpp"

namespace v3sim::models {

bool names_model_file(const std::string& model) {
  const std::string ext = ".json";
  return model.find('/') != std::string::npos ||
         (model.size() >= ext.size() && model.compare(model.size() - ext.size(), ext.size(), ext) == 0);
}

ModelConfig scenario_model(const std::string& model, const nlohmann::json& overrides, const std::string& model_pointer,
                           const std::string& overrides_pointer, const ModelFileReader& files) {
  if (!names_model_file(model)) return model_preset(model, overrides, model_pointer, overrides_pointer);
  if (!files)
    throw sim::InputError(model_pointer, "\"" + model + "\" names a model config file, which only a scenario read from a file can resolve");
  return with_overrides(files(model, model_pointer), overrides, model_pointer, overrides_pointer);
}

}  // namespace v3sim::models
