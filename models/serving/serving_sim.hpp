#pragma once
// The request level of serving (docs/serving.md): requests arrive, load their
// cached prefix, are prefilled by a pool of prefill units (chunked to a token
// budget per GPU), move their KV to a decode unit and are decoded there in
// continuous batches, each unit stepping in lockstep at its slowest GPU's
// step price. Events on sim::EventQueue; requests are pulled from the source
// as they arrive and forgotten when they complete; state per GPU stays
// aggregate (its running requests and their KV), no work per token: each
// request's decode steps are drawn when it is admitted and its completion
// waits in its unit's queue by finishing step.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "models/serving/expert_replanning.hpp"
#include "models/serving/quantiles.hpp"
#include "models/serving/serving_spec.hpp"
#include "models/serving/step_prices.hpp"
#include "sim/time.hpp"

namespace v3sim::models {

// The state of the system at a moment, for the report's plots.
struct ServingSample {
  double t_s = 0;
  long long arrived = 0, completed = 0;
  int prefill_queue = 0;       // requests waiting for a prefill step (loading their prefix included)
  int decode_queue = 0;        // requests whose KV arrived, waiting for a decode slot
  int running = 0;             // requests in decode batches
  int running_max_gpu = 0;     // the most on one decode GPU
  double kv_usage = 0;         // reserved over available KV on the decode GPUs
  double ttft_p90_s = 0;       // of the requests that got their first token in the last interval
  double tpot_p90_s = 0;       // of those that completed in it
  double hit_ratio = 0;        // cached input tokens over input tokens, so far
  int prefill_units = 0, decode_units = 0;  // serving
  int prefill_held = 0, decode_held = 0;    // serving, starting or draining (not released)
  double input_tokens = 0, cached_tokens = 0, output_tokens = 0;  // so far
};

// Expert re-planning over the run (docs/fleet.md, "Expert re-planning"); by
// pool: 0 prefill, 1 decode.
struct EplbResult {
  double interval_s = 0, window_s = 0, epoch_s = 0, grid_s = 0;
  int replans = 0;
  std::array<PoolImbalance, 2> imbalance;  // means over the epochs
  std::array<double, 2> experts_loaded_per_unit{}, pause_per_replan_s{};
  std::array<double, 2> paused_s{};  // the pauses the run's units took, summed
  std::array<PriceError, 2> load_factor_error;
  std::array<int, 2> load_simulations{};
  std::vector<EplbEpoch> epochs;
};

// The fleet over the run (docs/fleet.md): nodes held, their hours and cost,
// the tokens' revenue.
struct FleetResult {
  double nodes_mean = 0, nodes_peak = 0, nodes_min = 0;  // held, both pools
  double prefill_node_hours = 0, decode_node_hours = 0, released_node_hours = 0;
  double prefill_input_per_node_s = 0;   // input tokens (hits included) per prefill node-second held
  double decode_output_per_node_s = 0;   // output tokens per decode node-second held
  Distribution user_tokens_per_s;        // each request's decode speed: (output - 1) / (completion - first token)
  bool priced = false;
  double cost_usd = 0, revenue_hit_usd = 0, revenue_miss_usd = 0, revenue_output_usd = 0;
  double revenue_usd() const { return revenue_hit_usd + revenue_miss_usd + revenue_output_usd; }
  double revenue_paid_usd = 0;  // with the off-peak discount (the same without one), completed requests
  long long scale_ups = 0, scale_downs = 0;
  std::optional<EplbResult> eplb;
};

struct UnitStep {
  bool prefill = false;
  int unit = 0;
  sim::Time start = 0, end = 0;
  double load = 0;  // prefill: tokens per GPU; decode: requests on the busiest GPU
};

struct ServingResult {
  long long arrived = 0, completed = 0, rejected = 0;
  Distribution ttft_s, tpot_s, e2e_s;
  double duration_s = 0;  // first arrival to last completion
  double input_tokens = 0, output_tokens = 0, cached_tokens = 0;
  double input_tokens_per_s = 0, output_tokens_per_s = 0;
  double input_tokens_per_s_per_prefill_node = 0, output_tokens_per_s_per_decode_node = 0;
  double cache_bytes_read = 0;
  double hit_ratio = 0;
  bool has_slo = false;
  double slo_attainment = 0, goodput_requests_per_s = 0;
  // Little's law on the run's own bookkeeping: the time-average of requests
  // in the system (from its queues' counts) against arrival rate x mean E2E.
  double mean_in_system = 0, arrival_rate_per_s = 0;
  long long prefill_steps = 0, decode_steps = 0;
  PriceError prefill_price_error, decode_price_error;
  PriceError prefill_envelope_error, decode_envelope_error;  // the per-layer envelope against every GPU
  PriceError prefill_ranks_error;  // prefill's rank pricing against the step model given each rank's batch
  int step_simulations = 0;
  FleetResult fleet;
  std::vector<ServingSample> samples;
  std::vector<UnitStep> steps;  // the trace's unit's steps in its window (the first 20,000)
  std::vector<std::string> reductions;
  double wall_seconds = 0;
};

ServingResult simulate_serving(const ServingSpec& spec);

}  // namespace v3sim::models
