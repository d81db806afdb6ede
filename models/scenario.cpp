#include "models/scenario.hpp"

#include "models/inference/inference_spec.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

constexpr double kMaxMs = 1e9;  // about eleven days: far beyond any step
constexpr double kResolutionMs = 1e-6;

ScheduleSpec parse_schedule(sim::ObjectReader in) {
  in.only_keys({"kind", "stages", "microbatches", "chunks", "layers", "microbatch_group"});
  ScheduleSpec s;
  s.kind = schedule_kind_from_name(in.one_of("kind", schedule_kind_names()));
  s.stages = static_cast<int>(in.integer("stages", 1, 4096));
  s.microbatches = static_cast<int>(in.integer("microbatches", 1, 1'000'000));
  s.chunks = static_cast<int>(in.optional_integer("chunks", 1, 64).value_or(1));
  if (auto layers = in.optional_integer("layers", 1, 100'000)) s.layers = static_cast<int>(*layers);
  s.microbatch_group = static_cast<int>(in.optional_integer("microbatch_group", 0, 1'000'000).value_or(0));
  if (auto problem = check_spec(s)) throw sim::InputError(in.child_pointer(problem->field), problem->message);
  return s;
}

OpCostsMs parse_op_costs(sim::ObjectReader in, ScheduleKind kind) {
  in.only_keys({"F", "B", "W", "FB", "p2p_latency"});
  OpCostsMs c;
  c.F = in.number("F", 0, kMaxMs);
  c.B = in.number("B", 0, kMaxMs);
  c.W = in.optional_number("W", 0, kMaxMs);
  c.FB = in.optional_number("FB", 0, kMaxMs);
  c.p2p_latency = in.optional_number("p2p_latency", 0, kMaxMs).value_or(0);
  if (c.F <= 0) throw sim::InputError(in.child_pointer("F"), "expected a forward time > 0 ms");
  if (c.B <= 0) throw sim::InputError(in.child_pointer("B"), "expected a backward time > 0 ms");
  if (schedule_needs_w(kind) && !c.W)
    throw sim::InputError(in.child_pointer("W"), "missing required field 'W': " + schedule_kind_name(kind) +
                                                     " defers weight gradients and needs their time");
  if (c.W && *c.W >= c.B)
    throw sim::InputError(in.child_pointer("W"), "expected W < B (W is the weight-gradient part of the full backward B)");
  if (c.FB && *c.FB <= 0) throw sim::InputError(in.child_pointer("FB"), "expected an overlapped pair time > 0 ms");
  // Simulated time counts whole nanoseconds: a shorter op would round to
  // nothing and the step with it.
  for (const char* key : {"F", "B", "W", "FB", "p2p_latency"})
    if (auto v = in.optional_number(key, 0, kMaxMs); v && *v > 0 && *v < kResolutionMs)
      throw sim::InputError(in.child_pointer(key), "expected 0 or at least the 1 ns time resolution (1e-06 ms), got " +
                                                       nlohmann::json(*v).dump());
  return c;
}

}  // namespace

bool schedule_needs_w(ScheduleKind kind) {
  return kind == ScheduleKind::kZB1P || kind == ScheduleKind::kZBH2 || kind == ScheduleKind::kDualPipe ||
         kind == ScheduleKind::kDualPipeV;
}

Scenario parse_scenario(const nlohmann::json& doc, const ModelFileReader& model_files) {
  sim::ObjectReader in(doc, "");
  in.only_keys({"name", "description", "schedule", "op_costs_ms", "cluster", "workload", "model", "model_overrides",
                "parallelism", "training", "overlap", "calibration", "routing", "fidelity", "codesign"});
  Scenario s;
  s.name = in.optional_string("name").value_or("");
  s.description = in.optional_string("description").value_or("");
  if (const nlohmann::json* cluster = in.child("cluster")) s.cluster = parse_cluster(*cluster, "/cluster");
  if (const nlohmann::json* workload = in.child("workload")) {
    if (!s.cluster) throw sim::InputError("/cluster", "missing required field 'cluster' (the workload runs on it)");
    const bool inference = workload->is_object() && workload->contains("kind") && (*workload)["kind"] == "inference";
    const bool serving = workload->is_object() && workload->contains("kind") && (*workload)["kind"] == "serving";
    if (serving) {
      s.serving = parse_serving(*workload, "/workload", *s.cluster, model_files);
      s.has_pipeline = false;
    } else if (inference) {
      s.inference = parse_inference(*workload, "/workload", s.cluster->spec.nodes * s.cluster->spec.node.gpus, model_files);
      s.has_pipeline = false;
    } else {
      s.ep_alltoall = parse_ep_alltoall(*workload, "/workload");
    }
  }
  if (in.has("model")) {
    if (!s.cluster) throw sim::InputError("/cluster", "missing required field 'cluster' (the model trains on it)");
    const int gpus = s.cluster->spec.nodes * s.cluster->spec.node.gpus;
    s.training = parse_training(doc, gpus, model_files);
    s.has_pipeline = false;
    return s;
  }
  for (const char* key : {"model_overrides", "parallelism", "training", "overlap", "calibration", "routing", "fidelity",
                          "codesign"})
    if (in.has(key)) throw sim::InputError(std::string("/") + key, "only meaningful with a 'model' (a training scenario)");
  s.has_pipeline = in.has("schedule") || !s.cluster;
  if (!s.has_pipeline) return s;
  s.schedule = parse_schedule(in.object("schedule"));
  if (!in.has("op_costs_ms"))
    throw sim::InputError("/op_costs_ms", "missing required field 'op_costs_ms' (abstract mode: op times in ms)");
  s.op_costs = parse_op_costs(in.object("op_costs_ms"), s.schedule.kind);
  return s;
}

}  // namespace v3sim::models
