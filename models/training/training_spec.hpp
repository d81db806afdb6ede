#pragma once
// The training workload of a scenario: model, parallelism, batch, SM split,
// calibration profile and fidelity. Parsed strictly (docs/scenarios.md).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "calibration/profile.hpp"
#include "models/schedule/schedule.hpp"
#include "models/transformer/layer_ops.hpp"
#include "models/transformer/model_config.hpp"
#include "models/transformer/model_source.hpp"

namespace v3sim::models {

struct Parallelism {
  int pp = 1;
  int ep = 1;
  int tp = 1;
  int cp = 1;    // context parallelism: the sequence over cp GPUs (Megatron's context_parallel_size)
  int zero = 1;  // ZeRO stage: 0 (replicated optimizer) or 1 (sharded over data parallelism)
  std::vector<int> layers_per_part;  // empty: split evenly (docs/training-model.md)
  bool balance_layers = false;       // layers_per_part "balanced": even out the ranks' compute
  bool sequence_parallel = false;    // Megatron's sequence parallelism over the TP group
  // Transformer Engine's TP communication overlap (Megatron's tp_comm_overlap,
  // userbuffers): TP collectives in chunks beside the GEMMs next to them.
  bool tp_comm_overlap = false;
  // Megatron-Core's uneven pipeline split, resolved into layers_per_part by
  // parse_training: layer units of the first and last model parts
  // (decoder_first/last_pipeline_num_layers), or the embedding and the loss
  // counted as one layer each in an even split (account_for_*_in_pipeline_split).
  std::optional<int> first_pipeline_num_layers, last_pipeline_num_layers;
  bool account_for_embedding = false, account_for_loss = false;
};

// Whose training framework runs the step: the kernel list and the host
// behaviour that differ between them (docs/training-model.md, "Frameworks").
enum class Framework {
  kDeepSeek,  // the profiled DeepSeek-V3 framework: DeepGEMM grouped kernels, two host threads
  kMegatron,  // Megatron-Core with Transformer Engine: one GEMM per local expert, token counts synced to the host
};

enum class Fidelity {
  kReduced,  // one pipeline replica, memoised all-to-all phases (stated symmetry)
  kFull,     // every GPU, every all-to-all as flows on the shared fabric
};

struct TrainingSpec {
  ModelConfig model;
  Parallelism parallel;
  ScheduleKind schedule = ScheduleKind::kDualPipe;
  bool chunk_pair = false;  // schedule "chunk_pair": one overlapped pair on one rank (models/training/chunk_pair.hpp)
  int chunks = 1;  // interleaved 1F1B
  int microbatch_group = 0;  // interleaved 1F1B: Megatron-Core's micro-batch group (0: ScheduleSpec's default)
  // Megatron-Core's overlap_moe_expert_parallel_comm: steady-state forward and
  // backward of two micro-batches run as one overlapped pair (models/schedule/ep_overlap.hpp).
  bool ep_overlap = false;
  int seq_len = 4096;
  int global_batch = 1;  // sequences per step
  int micro_batch = 1;   // sequences per micro-batch
  bool fp8 = true;
  Framework framework = Framework::kDeepSeek;  // training.framework
  Recompute recompute = Recompute::kSelective;  // training.recompute
  int comm_sms = 20;
  bool comm_offload = false;
  std::string calibration = "h800-published";  // a profile name or a profile file (.json)
  calibration::Profile profile;                  // loaded from `calibration`
  double routing_skew = 0;
  std::uint64_t routing_seed = 1;
  Fidelity fidelity = Fidelity::kReduced;
  // Hardware what-ifs of the V3 technical report, section 3.5.2
  // (docs/training-model.md): FP8 quantisation fused into the TMA transfer /
  // tensor-core data path (no cast or dequantisation kernels), and GEMMs
  // that read transposed operands (no cast-transpose kernels).
  bool fused_fp8_quantization = false;
  bool transposed_gemm_operands = false;
};

// Reads the training keys of a scenario (model, model_overrides, parallelism,
// schedule, training, overlap, calibration, routing, fidelity); `gpus` is the
// cluster's size, which must equal pp x dp x tp. `model_files` reads a model
// config file (models/transformer/model_source.hpp).
TrainingSpec parse_training(const nlohmann::json& doc, int gpus, const ModelFileReader& model_files = {});

// Derived sizes.
int data_parallel(const TrainingSpec& t, int gpus);
int microbatches_per_pipeline(const TrainingSpec& t, int gpus);
ScheduleSpec schedule_spec(const TrainingSpec& t, int gpus);

}  // namespace v3sim::models
