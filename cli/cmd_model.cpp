// v3sim model NAME|CONFIG: what v3sim reads from a model preset or a
// HuggingFace config.json (a file, or a folder holding one): its dimensions
// as v3sim models them and its parameter counts, total and activated per
// token (models/transformer/parameters.hpp), before a scenario uses it.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/model_file.hpp"
#include "cli/scenario_loader.hpp"
#include "models/transformer/model_source.hpp"
#include "models/transformer/parameters.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::cli {
namespace {

std::string count(double n) {
  return fmt::format("{:.2f}B ({})", n / 1e9, fmt::group_digits(static_cast<long long>(n)));
}

void print_model(const std::string& name) {
  models::ModelConfig m;
  try {
    // A relative path is read from the current folder.
    m = models::scenario_model(name, nlohmann::json::object(), "", "", model_file_reader("./model"));
  } catch (const sim::InputError& e) {
    throw InputFailure(std::string("model ") + name + ": " + e.what());
  }
  std::cout << fmt::format("{} ({})\n", m.name, m.source);
  std::cout << fmt::format("  layers {} ({} dense, {} MoE){}, hidden {}, vocab {}, {} embeddings\n", m.layers,
                           m.dense_layers, m.moe_layers(), m.mtp_depth > 0 ? fmt::format(" + {} MTP", m.mtp_depth) : "",
                           m.hidden, m.vocab, m.tied_embeddings ? "tied" : "untied");
  if (m.attention == models::AttentionKind::kMla)
    std::cout << fmt::format("  attention MLA: {} heads, q LoRA rank {}, kv LoRA rank {}, qk {} + {} rope, v {}\n", m.heads,
                             m.q_lora_rank, m.kv_lora_rank, m.qk_nope_head_dim, m.qk_rope_head_dim, m.v_head_dim);
  else
    std::cout << fmt::format("  attention GQA: {} heads, {} kv heads, head dim {}\n", m.heads, m.kv_heads, m.head_dim);
  if (m.dense_layers > 0) std::cout << fmt::format("  dense FFN {}\n", m.dense_intermediate);
  if (m.is_moe())
    std::cout << fmt::format("  MoE: {} routed experts of {}, top-{}{}{}\n", m.routed_experts, m.expert_intermediate, m.topk,
                             m.shared_experts > 0 ? fmt::format(", {} shared of {}", m.shared_experts, m.shared_width()) : "",
                             m.expert_groups > 1 ? fmt::format(", {} groups, {} per token", m.expert_groups, m.group_limit)
                                                 : "");
  std::cout << "  parameters " << count(models::total_parameters(m)) << ", activated per token "
            << count(models::activated_parameters(m)) << " (weights and norms; MTP modules apart)\n";
}

}  // namespace

void add_model_command(CLI::App& app) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "model", "Show what v3sim reads from a model preset or HuggingFace config.json, with its parameter counts");
  cmd->add_option("model", *name, "Preset name (v3sim list) or the path of a config.json or of a folder holding one")
      ->required();
  cmd->callback([name] { print_model(*name); });
}

}  // namespace v3sim::cli
