#include "models/training/training_spec.hpp"

#include "calibration/profile.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

Parallelism parse_parallelism(sim::ObjectReader in) {
  in.only_keys({"pp", "ep", "tp", "cp", "zero", "layers_per_part", "sequence_parallel", "tp_comm_overlap",
                "first_pipeline_num_layers",
                "last_pipeline_num_layers", "account_for_embedding_in_pipeline_split",
                "account_for_loss_in_pipeline_split"});
  Parallelism p;
  p.pp = static_cast<int>(in.integer("pp", 1, 4096));
  p.ep = static_cast<int>(in.optional_integer("ep", 1, 1 << 20).value_or(1));
  p.tp = static_cast<int>(in.optional_integer("tp", 1, 64).value_or(1));
  p.cp = static_cast<int>(in.optional_integer("cp", 1, 64).value_or(1));
  p.zero = static_cast<int>(in.optional_integer("zero", 0, 1).value_or(1));
  p.sequence_parallel = in.optional_boolean("sequence_parallel").value_or(p.sequence_parallel);
  p.tp_comm_overlap = in.optional_boolean("tp_comm_overlap").value_or(false);
  if (auto n = in.optional_integer("first_pipeline_num_layers", 1, 100000)) p.first_pipeline_num_layers = static_cast<int>(*n);
  if (auto n = in.optional_integer("last_pipeline_num_layers", 1, 100000)) p.last_pipeline_num_layers = static_cast<int>(*n);
  p.account_for_embedding = in.optional_boolean("account_for_embedding_in_pipeline_split").value_or(false);
  p.account_for_loss = in.optional_boolean("account_for_loss_in_pipeline_split").value_or(false);
  const bool uneven = p.first_pipeline_num_layers || p.last_pipeline_num_layers || p.account_for_embedding ||
                      p.account_for_loss;
  if (uneven && in.child("layers_per_part"))
    throw sim::InputError(in.child_pointer("layers_per_part"),
                          "expected either layers_per_part or Megatron's first/last-stage layer counts, not both");
  if ((p.first_pipeline_num_layers || p.last_pipeline_num_layers) && (p.account_for_embedding || p.account_for_loss))
    throw sim::InputError(in.child_pointer(p.account_for_embedding ? "account_for_embedding_in_pipeline_split"
                                                                   : "account_for_loss_in_pipeline_split"),
                          "expected false with first/last_pipeline_num_layers (Megatron takes one or the other)");
  if (const nlohmann::json* parts = in.child("layers_per_part")) {
    if (parts->is_string() && parts->get<std::string>() == "balanced") {
      p.balance_layers = true;
      return p;
    }
    if (!parts->is_array())
      throw sim::InputError(in.child_pointer("layers_per_part"), "expected an array of layer counts or \"balanced\"");
    for (std::size_t i = 0; i < parts->size(); ++i) {
      const nlohmann::json& v = (*parts)[i];
      if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 100000)
        throw sim::InputError(in.child_pointer("layers_per_part") + "/" + std::to_string(i),
                              "expected a layer count >= 1 (every model part is a pipeline stage)");
      p.layers_per_part.push_back(v.get<int>());
    }
  }
  return p;
}

}  // namespace

namespace {

// Megatron-Core's uneven split as layer units per model part (empty: none
// asked for), in model-part order (part c*p + r is chunk c of rank r).
// Megatron counts decoder layers only: MTP modules join the last part.
// First/last counts are per pipeline rank (num_layers_in_first/last_
// pipeline_stage): the other ranks share the rest evenly, and each rank's
// count is divided evenly among its v chunks. Embedding and loss counted as
// a layer each (account_for_*_in_pipeline_split): decoder layers plus those
// over the p*v model parts, the first part giving up one for the embedding,
// the last one for the loss. v3sim needs a layer in every part.
std::vector<int> megatron_split(const Parallelism& p, int layers, int mtp, int ranks, int chunks) {
  std::vector<int> out;
  auto fail = [](const std::string& field, const std::string& what) {
    throw sim::InputError("/parallelism/" + field, what);
  };
  const int parts = ranks * chunks;
  if (p.first_pipeline_num_layers || p.last_pipeline_num_layers) {
    const int first = p.first_pipeline_num_layers.value_or(-1), last = p.last_pipeline_num_layers.value_or(-1);
    const int middle = ranks - (first >= 0) - (last >= 0);
    const int rest = layers - std::max(first, 0) - std::max(last, 0);
    const std::string field = first >= 0 ? "first_pipeline_num_layers" : "last_pipeline_num_layers";
    if (middle < 0 || rest < middle * chunks || (middle == 0 ? rest != 0 : rest % middle != 0))
      fail(field, "expected the other " + std::to_string(std::max(middle, 0)) + " pipeline ranks to share the remaining " +
                      std::to_string(rest) + " of " + std::to_string(layers) +
                      " decoder layers evenly, at least one per model chunk (Megatron-Core's rule; MTP modules not counted)");
    std::vector<int> per_rank(static_cast<std::size_t>(ranks), middle > 0 ? rest / middle : 0);
    if (first >= 0) per_rank.front() = first;
    if (last >= 0) per_rank.back() = last;
    for (int r = 0; r < ranks; ++r)
      if (per_rank[static_cast<std::size_t>(r)] % chunks != 0 || per_rank[static_cast<std::size_t>(r)] < chunks)
        fail(field, "expected pipeline rank " + std::to_string(r) + "'s " + std::to_string(per_rank[static_cast<std::size_t>(r)]) +
                        " layers to split evenly over its " + std::to_string(chunks) + " model chunks, one or more each");
    out.assign(static_cast<std::size_t>(parts), 0);
    for (int c = 0; c < chunks; ++c)
      for (int r = 0; r < ranks; ++r)
        out[static_cast<std::size_t>(c * ranks + r)] = per_rank[static_cast<std::size_t>(r)] / chunks;
  } else if (p.account_for_embedding || p.account_for_loss) {
    const int total = layers + p.account_for_embedding + p.account_for_loss;
    const std::string field =
        p.account_for_embedding ? "account_for_embedding_in_pipeline_split" : "account_for_loss_in_pipeline_split";
    if (total % parts != 0 || total / parts < 2)
      fail(field, "expected decoder layers plus the counted embedding and loss (" + std::to_string(total) +
                      ") divisible by the " + std::to_string(parts) +
                      " model parts (Megatron-Core's rule), two or more each (v3sim needs a layer in every part)");
    out.assign(static_cast<std::size_t>(parts), total / parts);
    out.front() -= p.account_for_embedding;
    out.back() -= p.account_for_loss;
  } else {
    return out;
  }
  out.back() += mtp;
  return out;
}

}  // namespace

int data_parallel(const TrainingSpec& t, int gpus) { return gpus / (t.parallel.pp * t.parallel.tp * t.parallel.cp); }

int microbatches_per_pipeline(const TrainingSpec& t, int gpus) {
  return static_cast<int>(t.global_batch / (static_cast<long long>(data_parallel(t, gpus)) * t.micro_batch));
}

ScheduleSpec schedule_spec(const TrainingSpec& t, int gpus) {
  ScheduleSpec s;
  s.kind = t.schedule;
  s.stages = t.schedule == ScheduleKind::kDualPipeV ? 2 * t.parallel.pp : t.parallel.pp;
  s.chunks = t.chunks;
  s.microbatch_group = t.microbatch_group;
  s.microbatches = microbatches_per_pipeline(t, gpus);
  return s;
}

TrainingSpec parse_training(const nlohmann::json& doc, int gpus, const ModelFileReader& model_files) {
  sim::ObjectReader in(doc, "");
  TrainingSpec t;
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json* over = in.child("model_overrides");
  t.model = scenario_model(in.string("model"), over ? *over : empty, "/model", "/model_overrides", model_files);
  t.parallel = parse_parallelism(in.object("parallelism"));

  {
    sim::ObjectReader s = in.object("schedule");
    s.only_keys({"kind", "chunks", "microbatch_group", "ep_overlap"});
    std::vector<std::string> kinds = schedule_kind_names();
    kinds.push_back("chunk_pair");
    const std::string kind = s.one_of("kind", kinds);
    t.chunk_pair = kind == "chunk_pair";
    t.schedule = t.chunk_pair ? ScheduleKind::k1F1B : schedule_kind_from_name(kind);
    t.chunks = static_cast<int>(s.optional_integer("chunks", 1, 64).value_or(1));
    t.microbatch_group = static_cast<int>(s.optional_integer("microbatch_group", 0, 1'000'000).value_or(0));
    t.ep_overlap = s.optional_boolean("ep_overlap").value_or(false);
    if (t.ep_overlap && t.schedule != ScheduleKind::k1F1B && t.schedule != ScheduleKind::kInterleaved1F1B)
      throw sim::InputError("/schedule/ep_overlap", "expected false: Megatron's all-to-all overlap applies to 1f1b and "
                                                    "interleaved_1f1b (DualPipe overlaps its own pairs)");
    if (t.ep_overlap && t.chunk_pair) throw sim::InputError("/schedule/ep_overlap", "expected false for a chunk_pair");
  }
  {
    sim::ObjectReader tr = in.object("training");
    tr.only_keys({"seq_len", "global_batch", "micro_batch", "precision", "recompute", "framework"});
    t.framework = tr.optional_one_of("framework", {"deepseek", "megatron"}).value_or("deepseek") == "megatron"
                      ? Framework::kMegatron
                      : Framework::kDeepSeek;
    const std::string rc = tr.optional_one_of("recompute", {"none", "selective", "full"}).value_or("selective");
    t.recompute = rc == "none" ? Recompute::kNone : rc == "full" ? Recompute::kFull : Recompute::kSelective;
    t.seq_len = static_cast<int>(tr.integer("seq_len", 1, 1 << 22));
    t.global_batch = static_cast<int>(tr.integer("global_batch", 1, 1 << 30));
    t.micro_batch = static_cast<int>(tr.optional_integer("micro_batch", 1, 1 << 20).value_or(1));
    t.fp8 = tr.optional_one_of("precision", {"fp8", "bf16"}).value_or("fp8") == "fp8";
  }
  bool sms_asked = false;
  if (in.has("overlap")) {
    sim::ObjectReader o = in.object("overlap");
    o.only_keys({"comm_sms", "offload"});
    sms_asked = o.has("comm_sms") || o.has("offload");
    t.comm_sms = static_cast<int>(o.optional_integer("comm_sms", 1, 1024).value_or(t.comm_sms));
    t.comm_offload = o.optional_boolean("offload").value_or(t.comm_offload);
  }
  // DeepSeek sets SMs aside for its expert-parallel all-to-all; without
  // expert parallelism nothing needs them, so none are held unless asked
  // (pipeline sends and tensor-parallel all-reduces borrow SMs as NCCL does).
  if (!sms_asked && t.parallel.ep == 1) {
    t.comm_sms = 0;
    t.comm_offload = true;
  }
  if (auto cal = in.optional_string("calibration")) t.calibration = *cal;
  t.profile = calibration::load_profile(t.calibration, "/calibration");
  if (in.has("routing")) {
    sim::ObjectReader r = in.object("routing");
    r.only_keys({"skew", "seed"});
    t.routing_skew = r.optional_number("skew", 0, 10).value_or(0);
    t.routing_seed = static_cast<std::uint64_t>(r.optional_integer("seed", 0, 1LL << 62).value_or(1));
  }
  if (in.has("codesign")) {
    sim::ObjectReader c = in.object("codesign");
    c.only_keys({"fused_fp8_quantization", "transposed_gemm_operands"});
    for (auto [key, field] : {std::pair{"fused_fp8_quantization", &t.fused_fp8_quantization},
                              std::pair{"transposed_gemm_operands", &t.transposed_gemm_operands}})
      *field = c.optional_boolean(key).value_or(*field);
  }
  if (auto f = in.optional_one_of("fidelity", {"reduced", "full"})) t.fidelity = *f == "full" ? Fidelity::kFull : Fidelity::kReduced;

  // Consistency between sections.
  const Parallelism& p = t.parallel;
  if (gpus % (p.pp * p.tp * p.cp) != 0)
    throw sim::InputError("/parallelism/pp", "pp x tp x cp = " + std::to_string(p.pp * p.tp * p.cp) +
                                                  " does not divide the cluster's " + std::to_string(gpus) + " GPUs");
  if (t.seq_len % (2 * p.cp) != 0)
    throw sim::InputError("/parallelism/cp", "expected 2 x cp dividing the sequence length " + std::to_string(t.seq_len) +
                                                 " (each GPU takes two load-balanced chunks of the causal sequence)");
  if (p.cp > 1 && t.fidelity == Fidelity::kFull)
    throw sim::InputError("/fidelity", "expected \"reduced\" with cp > 1: full fidelity simulates one GPU per "
                                       "context-parallel group");
  const int dp = data_parallel(t, gpus);
  if ((p.tp * p.cp * dp) % p.ep != 0)
    throw sim::InputError("/parallelism/ep", "expected ep dividing tp x cp x dp = " + std::to_string(p.tp * p.cp * dp) +
                                                 " (expert groups are formed across the tensor- and data-parallel "
                                                 "GPUs of a pipeline stage: MoE parallel folding)");
  if (p.ep > 1 && (static_cast<long long>(t.micro_batch) * t.seq_len) % (p.tp * p.cp) != 0)
    throw sim::InputError("/parallelism/tp", "expected tp dividing micro_batch x seq_len (each GPU of a TP group "
                                             "routes its share of the tokens to the experts)");
  if (p.ep > 1 && p.tp > 1 && t.fidelity == Fidelity::kFull)
    throw sim::InputError("/fidelity", "expected \"reduced\" with tp > 1 and ep > 1: full fidelity simulates one GPU "
                                       "per TP group, and the folded expert-parallel group spans every GPU of it");
  if (p.ep > 1 && (!t.model.is_moe() || t.model.routed_experts % p.ep != 0))
    throw sim::InputError("/parallelism/ep", "expected ep dividing the model's " + std::to_string(t.model.routed_experts) +
                                                 " routed experts");
  const long long batch_unit = static_cast<long long>(dp) * t.micro_batch;  // may pass an int
  if (t.global_batch % batch_unit != 0)
    throw sim::InputError("/training/global_batch", "expected a multiple of dp x micro_batch = " +
                                                        std::to_string(batch_unit));
  if (t.model.heads % p.tp != 0) throw sim::InputError("/parallelism/tp", "expected tp dividing the attention heads");
  if (t.chunk_pair) {
    if (p.pp != 1) throw sim::InputError("/parallelism/pp", "expected 1: a chunk pair runs on one pipeline rank");
    return t;
  }
  ScheduleSpec spec = schedule_spec(t, gpus);
  if (auto problem = check_spec(spec)) {
    const std::string ptr = problem->field == "microbatches" ? "/training/global_batch"
                            : problem->field == "chunks"     ? "/schedule/chunks"
                            : problem->field == "microbatch_group" ? "/schedule/microbatch_group"
                                                             : "/parallelism/pp";
    throw sim::InputError(ptr, problem->message + " (micro-batches per pipeline: " + std::to_string(spec.microbatches) + ")");
  }
  const int layers = t.model.layers + t.model.mtp_depth;
  const bool uneven = p.first_pipeline_num_layers || p.last_pipeline_num_layers || p.account_for_embedding ||
                      p.account_for_loss;
  if (uneven && (spec.kind == ScheduleKind::kDualPipe || spec.kind == ScheduleKind::kDualPipeV))
    throw sim::InputError(p.first_pipeline_num_layers || p.last_pipeline_num_layers
                              ? "/parallelism/first_pipeline_num_layers"
                              : "/parallelism/account_for_embedding_in_pipeline_split",
                          "expected layers_per_part for " + schedule_kind_name(spec.kind) +
                              ": Megatron's split assumes one lane of stages, DualPipe places two parts on a rank");
  if (std::vector<int> split = megatron_split(p, t.model.layers, t.model.mtp_depth, spec.stages, spec.chunks);
      !split.empty())
    t.parallel.layers_per_part = std::move(split);
  if (p.layers_per_part.empty() && layers < spec.stages * spec.chunks)
    throw sim::InputError("/parallelism/pp", schedule_kind_name(spec.kind) + " splits the model into " +
                                                 std::to_string(spec.stages * spec.chunks) + " parts, but it has only " +
                                                 std::to_string(layers) + " layers (MTP modules counted)");
  if (!p.layers_per_part.empty()) {
    const int model_parts = spec.stages * spec.chunks;  // what make_schedule gives, without building it
    long long sum = 0;
    for (int n : p.layers_per_part) sum += n;
    if (static_cast<int>(p.layers_per_part.size()) != model_parts || sum != t.model.layers + t.model.mtp_depth)
      throw sim::InputError("/parallelism/layers_per_part",
                            "expected " + std::to_string(model_parts) + " counts summing to layers + mtp_depth = " +
                                std::to_string(t.model.layers + t.model.mtp_depth));
  }
  return t;
}

}  // namespace v3sim::models
