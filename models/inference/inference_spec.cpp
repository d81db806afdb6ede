#include "models/inference/inference_spec.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/inference/decode_ops.hpp"
#include "sim/json_reader.hpp"
#include "sim/json_text.hpp"

namespace v3sim::models {
namespace {

Deployment parse_deployment(sim::ObjectReader in, InferencePhase phase) {
  in.only_keys({"attention_tp", "dense_mlp_tp", "ep", "experts_per_gpu", "redundant_experts", "placement",
                "shared_expert", "comm_sms", "two_micro_batch", "low_latency_nvlink", "flash_mla",
                "decode_attn1_from"});
  Deployment d;
  d.attention_tp = static_cast<int>(in.optional_integer("attention_tp", 1, 64).value_or(1));
  d.dense_mlp_tp = static_cast<int>(in.optional_integer("dense_mlp_tp", 1, 64).value_or(1));
  d.ep = static_cast<int>(in.integer("ep", 1, 1 << 16));
  d.experts_per_gpu = static_cast<int>(in.optional_integer("experts_per_gpu", 1, 1 << 16).value_or(0));
  d.redundant_experts = static_cast<int>(in.optional_integer("redundant_experts", 0, 1 << 16).value_or(0));
  const std::string placement = in.optional_one_of("placement", {"none", "static", "eplb"}).value_or("none");
  d.placement = placement == "eplb" ? Placement::kEplb : placement == "static" ? Placement::kStatic : Placement::kNone;
  d.shared = in.optional_one_of("shared_expert", {"local", "routed"}).value_or("local") == "routed"
                 ? SharedExpert::kRouted
                 : SharedExpert::kLocal;
  d.comm_sms = static_cast<int>(in.optional_integer("comm_sms", 0, 1024).value_or(phase == InferencePhase::kPrefill ? 24 : 0));
  if (phase == InferencePhase::kDecode && d.comm_sms != 0)
    throw sim::InputError(in.child_pointer("comm_sms"), "expected 0: decode's low-latency kernels hold no SMs");
  if (phase == InferencePhase::kPrefill && d.comm_sms == 0)
    throw sim::InputError(in.child_pointer("comm_sms"), "expected at least 1: prefill's normal kernels run on SMs");
  d.two_micro_batch = in.optional_boolean("two_micro_batch").value_or(true);
  d.low_latency_nvlink = in.optional_boolean("low_latency_nvlink").value_or(false);
  // FlashMLA's February 2025 release or its April 2025 kernel (each its own
  // class: the profile holds both rooflines).
  d.flash_mla_class =
      in.optional_one_of("flash_mla", {"2025-02", "2025-04"}).value_or("2025-02") == "2025-04" ? "mla_decode_2504" : "mla_decode";
  if (auto from = in.optional_one_of("decode_attn1_from", decode_attention_kernel_names())) {
    if (phase != InferencePhase::kDecode)
      throw sim::InputError(in.child_pointer("decode_attn1_from"), "expected only in decode (prefill's attention is one stage)");
    if (*from == decode_attention_kernel_names().front())
      throw sim::InputError(in.child_pointer("decode_attn1_from"), "expected a kernel after attn_norm: ATTN-0 needs one");
    d.decode_attn1_from = *from;
  }
  return d;
}

std::vector<std::vector<double>> read_load_file(const std::string& path, const std::string& pointer, int experts) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    throw sim::InputError(pointer, "load file '" + path + "': not a regular file (a directory, device, FIFO or socket)");
  if (!ec && std::filesystem::exists(status) && std::filesystem::file_size(path, ec) > (std::uintmax_t{256} << 20) && !ec)
    throw sim::InputError(pointer, "load file '" + path + "': larger than 256 MiB, the limit of an input file");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw sim::InputError(pointer, "cannot read load file '" + path + "'");
  std::ostringstream text;
  text << f.rdbuf();
  nlohmann::json doc;
  try {
    doc = sim::parse_strict_json(text.str());
  } catch (const sim::JsonTextError& e) {
    throw sim::InputError(pointer, "load file '" + path + ":" + std::to_string(e.line()) + "': " + e.what());
  }
  const std::string where = "load file '" + path + "' ";
  if (doc.is_object())
    for (const auto& [key, value] : doc.items())
      if (key != "layers") throw sim::InputError(pointer, where + "/" + key + ": unknown key (expected only 'layers')");
  if (!doc.is_object() || !doc.contains("layers") || !doc["layers"].is_array() || doc["layers"].empty())
    throw sim::InputError(pointer, where + "/layers: expected a non-empty array of per-expert token counts per layer");
  std::vector<std::vector<double>> rows;
  for (std::size_t l = 0; l < doc["layers"].size(); ++l) {
    const nlohmann::json& row = doc["layers"][l];
    const std::string at = where + "/layers/" + std::to_string(l);
    if (!row.is_array() || static_cast<int>(row.size()) != experts)
      throw sim::InputError(pointer, at + ": expected " + std::to_string(experts) + " token counts (one per routed expert)");
    std::vector<double> r;
    double sum = 0;
    for (std::size_t e = 0; e < row.size(); ++e) {
      if (!row[e].is_number() || row[e].get<double>() < 0)
        throw sim::InputError(pointer, at + "/" + std::to_string(e) + ": expected a token count >= 0");
      r.push_back(row[e].get<double>());
      sum += r.back();
    }
    if (!(sum > 0)) throw sim::InputError(pointer, at + ": expected some tokens");
    rows.push_back(std::move(r));
  }
  return rows;
}

ExpertLoadSpec parse_load(sim::ObjectReader in, const ModelConfig& m) {
  in.only_keys({"kind", "exponent", "file", "noise", "seed", "plan_seed"});
  ExpertLoadSpec l;
  const std::string kind = in.one_of("kind", {"uniform", "zipf", "file"});
  l.kind = kind == "zipf" ? LoadKind::kZipf : kind == "file" ? LoadKind::kFile : LoadKind::kUniform;
  if (l.kind == LoadKind::kZipf) l.exponent = in.number("exponent", 0, 10);
  if (l.kind == LoadKind::kFile) {
    l.file = in.string("file");
    l.file_counts = read_load_file(l.file, in.child_pointer("file"), m.routed_experts);
    if (l.file_counts.size() != 1 && static_cast<int>(l.file_counts.size()) != m.moe_layers())
      throw sim::InputError(in.child_pointer("file"), "load file '" + l.file + "' /layers: expected 1 or " +
                                                          std::to_string(m.moe_layers()) + " rows (the MoE layers)");
  }
  l.noise = in.optional_boolean("noise").value_or(true);
  l.seed = static_cast<std::uint64_t>(in.optional_integer("seed", 0, 1LL << 62).value_or(1));
  l.plan_seed = static_cast<std::uint64_t>(in.optional_integer("plan_seed", 0, 1LL << 62).value_or(2));
  return l;
}

void check_slots(const InferenceSpec& s, const std::string& dep) {
  const Deployment& d = s.deployment;
  const int placed = s.placed_experts();
  if (d.placement == Placement::kNone && d.redundant_experts > 0)
    throw sim::InputError(dep + "/redundant_experts", "expected 0 with placement \"none\" (redundant experts are placed by \"eplb\" or \"static\")");
  const int needed = placed + d.redundant_experts;
  if (d.experts_per_gpu == 0) {
    if (needed % d.ep != 0)
      throw sim::InputError(dep + "/redundant_experts", std::to_string(placed) + " experts + " +
                                                            std::to_string(d.redundant_experts) +
                                                            " redundant do not fill whole GPUs of EP" + std::to_string(d.ep));
    return;
  }
  const int slots = d.experts_per_gpu * d.ep;
  if (needed > slots)
    throw sim::InputError(dep + "/redundant_experts", "expected at most " + std::to_string(slots - placed) +
                                                          " redundant experts: " + std::to_string(slots) + " slots (" +
                                                          std::to_string(d.experts_per_gpu) + " per GPU x EP" +
                                                          std::to_string(d.ep) + ") hold " + std::to_string(placed) +
                                                          " experts");
  if (needed < slots)
    throw sim::InputError(dep + "/redundant_experts", "expected " + std::to_string(slots - placed) +
                                                          " redundant experts to fill the " + std::to_string(slots) +
                                                          " slots (or fewer experts_per_gpu)");
}

}  // namespace

InferenceSpec parse_inference(const nlohmann::json& workload, const std::string& pointer, int gpus,
                              const ModelFileReader& model_files) {
  sim::ObjectReader in(workload, pointer);
  in.only_keys({"kind", "phase", "model", "model_overrides", "calibration", "deployment", "batch", "mtp", "expert_load"});
  in.one_of("kind", {"inference"});
  InferenceSpec s;
  s.phase = in.one_of("phase", {"prefill", "decode"}) == "prefill" ? InferencePhase::kPrefill : InferencePhase::kDecode;
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json* over = in.child("model_overrides");
  s.model = scenario_model(in.string("model"), over ? *over : empty, in.child_pointer("model"),
                           in.child_pointer("model_overrides"), model_files);
  if (!s.model.is_moe() || s.model.attention != AttentionKind::kMla)
    throw sim::InputError(in.child_pointer("model"), "expected an MLA mixture-of-experts model (the inference model serves DeepSeek-V3-class models)");
  if (auto cal = in.optional_string("calibration")) s.calibration = *cal;
  s.profile = calibration::load_profile(s.calibration, in.child_pointer("calibration"));
  const std::string dep = in.child_pointer("deployment");
  s.deployment = parse_deployment(in.object("deployment"), s.phase);
  Deployment& d = s.deployment;
  if (gpus % d.ep != 0)
    throw sim::InputError(dep + "/ep", "expected ep dividing the cluster's " + std::to_string(gpus) +
                                           " GPUs (a deployment unit is ep GPUs)");
  if (d.ep % d.attention_tp != 0)
    throw sim::InputError(dep + "/attention_tp", "expected attention_tp dividing ep (" + std::to_string(d.ep) + ")");
  if (s.model.heads % d.attention_tp != 0)
    throw sim::InputError(dep + "/attention_tp", "expected attention_tp dividing the model's " +
                                                     std::to_string(s.model.heads) + " heads");
  if (d.ep % d.dense_mlp_tp != 0)
    throw sim::InputError(dep + "/dense_mlp_tp", "expected dense_mlp_tp dividing ep (" + std::to_string(d.ep) + ")");
  check_slots(s, dep);
  if (d.experts_per_gpu == 0) d.experts_per_gpu = (s.placed_experts() + d.redundant_experts) / d.ep;

  {
    sim::ObjectReader b = in.object("batch");
    if (s.phase == InferencePhase::kPrefill) {
      b.only_keys({"tokens_per_gpu", "prompt_len"});
      s.tokens_per_gpu = static_cast<int>(b.integer("tokens_per_gpu", 1, 1 << 22));
      s.prompt_len = static_cast<int>(b.integer("prompt_len", 1, 1 << 22));
      if (s.tokens_per_gpu % s.prompt_len != 0)
        throw sim::InputError(b.child_pointer("prompt_len"), "expected a prompt length dividing tokens_per_gpu (" +
                                                                 std::to_string(s.tokens_per_gpu) + ": whole prompts per GPU)");
      const int per_mb = d.two_micro_batch ? 2 : 1;
      if (s.tokens_per_gpu % per_mb != 0)
        throw sim::InputError(b.child_pointer("tokens_per_gpu"), "expected an even count: two micro-batches split the tokens");
    } else {
      b.only_keys({"requests_per_gpu", "kv_len", "seed"});
      s.requests_per_gpu = static_cast<int>(b.integer("requests_per_gpu", 1, 1 << 20));
      if (d.two_micro_batch && s.requests_per_gpu % 2 != 0)
        throw sim::InputError(b.child_pointer("requests_per_gpu"), "expected an even count: two micro-batches split the requests");
      const nlohmann::json* kv = b.child("kv_len");
      if (kv == nullptr) throw sim::InputError(b.child_pointer("kv_len"), "missing required field 'kv_len'");
      if (kv->is_number_integer() && kv->get<long long>() >= 1 && kv->get<long long>() <= (1 << 22)) {
        s.kv_len = s.kv_len_max = kv->get<int>();
      } else if (kv->is_object()) {
        sim::ObjectReader u(*kv, b.child_pointer("kv_len"));
        u.only_keys({"min", "max"});
        s.kv_len = static_cast<int>(u.integer("min", 1, 1 << 22));
        s.kv_len_max = static_cast<int>(u.integer("max", 1, 1 << 22));
        if (s.kv_len_max < s.kv_len) throw sim::InputError(u.child_pointer("max"), "expected max >= min");
      } else {
        throw sim::InputError(b.child_pointer("kv_len"), "expected a KV length in [1, 4194304] or {\"min\", \"max\"} (uniform per request)");
      }
      s.kv_seed = static_cast<std::uint64_t>(b.optional_integer("seed", 0, 1LL << 62).value_or(1));
    }
  }
  if (in.has("mtp")) {
    sim::ObjectReader m = in.object("mtp");
    m.only_keys({"depth", "acceptance"});
    s.mtp_depth = static_cast<int>(m.integer("depth", 0, 1));
    if (s.mtp_depth > s.model.mtp_depth)
      throw sim::InputError(m.child_pointer("depth"), "expected at most the model's " + std::to_string(s.model.mtp_depth) + " MTP modules");
    const nlohmann::json* a = m.child("acceptance");
    if (s.mtp_depth > 0 && a == nullptr) throw sim::InputError(m.child_pointer("acceptance"), "missing required field 'acceptance'");
    if (a != nullptr) {
      if (!a->is_number() || a->get<double>() < 0 || a->get<double>() > 1)
        throw sim::InputError(m.child_pointer("acceptance"), "expected an acceptance rate in [0, 1]");
      s.acceptance = a->get<double>();
    }
    if (s.mtp_depth > 0 && s.phase == InferencePhase::kPrefill)
      throw sim::InputError(m.child_pointer("depth"), "expected 0 for prefill: speculative decoding is a decode feature");
  }
  if (in.has("expert_load")) s.load = parse_load(in.object("expert_load"), s.model);
  return s;
}

}  // namespace v3sim::models
