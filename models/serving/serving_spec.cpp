#include "models/serving/serving_spec.hpp"

#include <cmath>

#include "models/inference/inference_memory.hpp"
#include "models/inference/inference_ops.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

// One unit's nodes: the cluster's node and fabric kind, as many nodes as the
// unit's GPUs fill.
ClusterConfig unit_cluster(const ClusterConfig& fleet, int ep) {
  ClusterConfig c = fleet;
  const int per_node = fleet.spec.node.gpus;
  c.spec.nodes = std::max(1, (ep + per_node - 1) / per_node);
  return c;
}

PoolSpec parse_pool(const nlohmann::json& workload, const std::string& pointer, const std::string& key,
                    const ClusterConfig& fleet, const ModelFileReader& files) {
  const bool prefill = key == "prefill";
  sim::ObjectReader top(workload, pointer);
  sim::ObjectReader in = top.object(key);
  const std::string at = pointer + "/" + key;
  in.only_keys(prefill ? std::vector<std::string>{"units", "deployment", "tokens_per_gpu"}
                       : std::vector<std::string>{"units", "deployment", "max_requests_per_gpu", "mtp"});
  PoolSpec p;
  p.units = static_cast<int>(in.integer("units", 1, 1 << 20));
  if (!in.has("deployment")) throw sim::InputError(at + "/deployment", "missing required field 'deployment'");
  const int ep = static_cast<int>(sim::ObjectReader(*in.child("deployment"), at + "/deployment").integer("ep", 1, 1 << 16));
  p.cluster = unit_cluster(fleet, ep);
  // The unit's inference workload: the serving workload's model, profile and
  // load with this pool's deployment, at a placeholder batch.
  nlohmann::json w = {{"kind", "inference"}, {"phase", key}, {"deployment", *in.child("deployment")}};
  for (const char* k : {"model", "model_overrides", "calibration", "expert_load"})
    if (workload.contains(k)) w[k] = workload[k];
  if (prefill) {
    p.tokens_per_gpu = static_cast<int>(in.optional_integer("tokens_per_gpu", 1, 1 << 22).value_or(16384));
    w["batch"] = {{"tokens_per_gpu", p.tokens_per_gpu}, {"prompt_len", p.tokens_per_gpu}};
  } else {
    p.max_requests_per_gpu = static_cast<int>(in.integer("max_requests_per_gpu", 1, 1 << 20));
    w["batch"] = {{"requests_per_gpu", 2}, {"kv_len", 1}};
    if (const nlohmann::json* mtp = in.child("mtp")) w["mtp"] = *mtp;
  }
  const int gpus = p.cluster.spec.nodes * p.cluster.spec.node.gpus;
  p.unit = parse_inference(w, at, gpus, files);
  if (!prefill) {
    // What HBM holds of KV beside weights, activations and buffers at the
    // largest batch.
    InferenceSpec s = p.unit;
    s.requests_per_gpu = p.max_requests_per_gpu;
    const InferenceMemory mem = inference_memory(s, p.cluster.gpu.hbm_gb * 1e9, 0);
    const double per_token = kv_bytes_per_token_layer(s.model) * (s.model.layers + s.mtp_depth);
    p.kv_capacity_tokens = (mem.hbm - mem.weights - mem.activations - mem.comm_buffers) / per_token;
    if (!(p.kv_capacity_tokens >= 1))
      throw sim::InputError(at + "/max_requests_per_gpu",
                            "weights, activations and buffers at this batch fill the GPU's HBM: no room for a KV cache");
  }
  return p;
}

std::vector<CacheTier> parse_cache(sim::ObjectReader in) {
  in.only_keys({"tiers"});
  const nlohmann::json* tiers = in.child("tiers");
  const std::string at = in.child_pointer("tiers");
  if (!tiers || !tiers->is_array() || tiers->empty())
    throw sim::InputError(at, "expected a non-empty array of tiers, fastest first");
  std::vector<CacheTier> out;
  for (std::size_t i = 0; i < tiers->size(); ++i) {
    sim::ObjectReader t((*tiers)[i], at + "/" + std::to_string(i));
    t.only_keys({"name", "capacity_gb", "read_gb_per_s", "total_read_gb_per_s"});
    CacheTier c;
    c.name = t.string("name");
    c.capacity_bytes = t.optional_number("capacity_gb", 0, 1e12).value_or(0) * 1e9;
    c.read_bytes_per_s = t.number("read_gb_per_s", 1e-6, 1e9) * 1e9;
    c.total_read_bytes_per_s = t.optional_number("total_read_gb_per_s", 1e-6, 1e12).value_or(0) * 1e9;
    out.push_back(c);
  }
  return out;
}

}  // namespace

ServingSpec parse_serving(const nlohmann::json& workload, const std::string& pointer, const ClusterConfig& cluster,
                          const ModelFileReader& model_files) {
  sim::ObjectReader in(workload, pointer);
  in.only_keys({"kind", "model", "model_overrides", "calibration", "expert_load", "source", "prefill", "decode",
                "prefix_cache", "kv_transfer_gb_per_s", "slo", "step_prices", "seed", "trace", "fleet"});
  in.one_of("kind", {"serving"});
  ServingSpec s;
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json* over = in.child("model_overrides");
  s.model = scenario_model(in.string("model"), over ? *over : empty, in.child_pointer("model"),
                           in.child_pointer("model_overrides"), model_files);
  s.source = parse_source(*[&] {
    if (!in.has("source")) throw sim::InputError(in.child_pointer("source"), "missing required field 'source'");
    return in.child("source");
  }(), in.child_pointer("source"));
  s.prefill = parse_pool(workload, pointer, "prefill", cluster, model_files);
  s.decode = parse_pool(workload, pointer, "decode", cluster, model_files);
  const int fleet = cluster.spec.nodes * cluster.spec.node.gpus;
  const long long used = static_cast<long long>(s.prefill.units) * s.prefill.unit.deployment.ep +
                         static_cast<long long>(s.decode.units) * s.decode.unit.deployment.ep;
  if (used > fleet)
    throw sim::InputError(in.child_pointer("decode") + "/units",
                          "the pools need " + std::to_string(used) + " GPUs; the cluster has " + std::to_string(fleet));
  if (in.has("prefix_cache")) s.cache = parse_cache(in.object("prefix_cache"));
  if (s.source.synthetic && s.source.gen.hit_ratio >= 0 && s.cache.empty())
    throw sim::InputError(in.child_pointer("prefix_cache"),
                          "a source with prefix.hit_ratio needs a prefix_cache to read its hits from (its last tier)");
  s.kv_bytes_per_token = kv_bytes_per_token_layer(s.model) * (s.model.layers + s.decode.unit.mtp_depth);
  s.kv_transfer_bytes_per_s = in.optional_number("kv_transfer_gb_per_s", 1e-6, 1e6)
                                  .value_or(cluster.gpu.nic_achievable_gb_per_s * cluster.gpu.nics) * 1e9;
  if (in.has("slo")) {
    sim::ObjectReader slo = in.object("slo");
    slo.only_keys({"ttft_s", "tpot_s"});
    s.slo_ttft_s = slo.optional_number("ttft_s", 1e-9, 1e9);
    s.slo_tpot_s = slo.optional_number("tpot_s", 1e-9, 1e9);
  }
  if (in.has("step_prices")) {
    sim::ObjectReader p = in.object("step_prices");
    p.only_keys({"kind", "prefill_s", "decode_s", "check_points", "seed", "gpus", "envelope_check_points"});
    s.prices.fixed = p.one_of("kind", {"model", "fixed"}) == "fixed";
    if (s.prices.fixed) {
      s.prices.prefill_s = p.number("prefill_s", 1e-9, 1e6);
      s.prices.decode_s = p.number("decode_s", 1e-9, 1e6);
    }
    s.prices.check_points = static_cast<int>(p.optional_integer("check_points", 0, 1000).value_or(8));
    s.prices.check_seed = static_cast<std::uint64_t>(p.optional_integer("seed", 0, 1LL << 62).value_or(1));
    if (p.has("gpus")) s.prices.envelope = p.one_of("gpus", {"envelope", "all"}) == "envelope";
    s.prices.envelope_check_points =
        static_cast<int>(p.optional_integer("envelope_check_points", 0, 1000).value_or(s.prices.envelope ? 2 : 0));
  }
  s.seed = static_cast<std::uint64_t>(in.optional_integer("seed", 0, 1LL << 62).value_or(1));
  if (const nlohmann::json* fleet = in.child("fleet")) {
    s.fleet = parse_fleet(*fleet, in.child_pointer("fleet"), s.prefill.units, s.decode.units);
    s.has_fleet = true;
    // Re-planning plans on a window's average load (so many tokens that its
    // noise is nil): the step prices' own plan is the expectation's too.
    if (s.fleet.eplb) s.prefill.unit.load.plan_on_expectation = s.decode.unit.load.plan_on_expectation = true;
    if (s.fleet.autoscale.policy == ScalingPolicy::kSlo && !s.slo_ttft_s && !s.slo_tpot_s)
      throw sim::InputError(in.child_pointer("fleet") + "/autoscale/policy", "policy 'slo' needs /workload/slo (ttft_s, tpot_s)");
  }
  if (in.has("trace")) {
    sim::ObjectReader t = in.object("trace");
    t.only_keys({"unit", "from_s", "to_s"});
    s.trace_unit = static_cast<int>(t.optional_integer("unit", 0, std::max(s.prefill.units, s.decode.units) - 1).value_or(0));
    s.trace_from_s = t.optional_number("from_s", 0, 1e12).value_or(0);
    s.trace_to_s = t.optional_number("to_s", s.trace_from_s, 1e18).value_or(1e18);
  }
  return s;
}

}  // namespace v3sim::models
