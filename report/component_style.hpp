#pragma once
// Names and colours of a training step's layer components (attention,
// dispatch, MLP, combine) in each pass and of its blocks, shared by the
// training trace, the Chakra export, the training timeline's communication
// lanes and the chunk-pair figure. Colours follow DeepSeek-V3's
// Figure 4: forward orange, backward for input green, backward for weights
// blue; communication in deeper shades of the same hues.
#include <string>

#include "models/transformer/kernel_op.hpp"
#include "models/transformer/layer_ops.hpp"

namespace v3sim::report {

inline const char* component_word(models::Component c) {
  switch (c) {
    case models::Component::kAttention: return "attention";
    case models::Component::kDispatch: return "dispatch";
    case models::Component::kMlp: return "MLP";
    case models::Component::kCombine: return "combine";
  }
  return "?";
}

inline const char* component_pass_letter(models::Pass p) {
  switch (p) {
    case models::Pass::kForward: return "F";
    case models::Pass::kInput: return "B";
    case models::Pass::kWeight: return "W";
  }
  return "?";
}

// The block a kernel belongs to, as a reader of the model names it.
inline const char* block_word(models::BlockKind b) {
  switch (b) {
    case models::BlockKind::kEmbedding: return "embedding";
    case models::BlockKind::kDenseLayer: return "dense layer";
    case models::BlockKind::kMoeLayer: return "MoE layer";
    case models::BlockKind::kHead: return "output head";
    case models::BlockKind::kMtp: return "MTP module";
  }
  return "?";
}

// "dispatch(F)"; B is the input-gradient backward, W the weight gradient.
inline std::string component_pass_label(models::Component c, models::Pass p) {
  return std::string(component_word(c)) + "(" + component_pass_letter(p) + ")";
}

inline const char* pass_colour(models::Pass p, bool comm) {
  switch (p) {
    case models::Pass::kForward: return comm ? "#e69138" : "#f9cb9c";
    case models::Pass::kInput: return comm ? "#6aa84f" : "#b6d7a8";
    case models::Pass::kWeight: return comm ? "#3d85c6" : "#a4c2f4";
  }
  return "#cccccc";
}

}  // namespace v3sim::report
