#pragma once
// The request-level serving simulation's state and events (internal to
// models/serving: serving_sim.cpp runs the requests, fleet_operations.cpp the
// units' states over time, the policy and the experts' re-planning).
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <queue>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "models/serving/autoscaler.hpp"
#include "models/serving/expert_replanning.hpp"
#include "models/serving/pool_ledger.hpp"
#include "models/serving/prefix_cache.hpp"
#include "models/serving/serving_sim.hpp"
#include "models/serving/serving_stats.hpp"
#include "sim/event_queue.hpp"

namespace v3sim::models::detail {

enum Kind : std::uint32_t { kArrive, kReady, kPrefillDone, kKvArrive, kDecodeDone, kRescale, kUnitReady };

// kUnitReady's target: the unit, with this bit for the decode pool.
constexpr std::uint32_t kDecodeBit = 1u << 30;

// A request in the system (a slot, reused once it leaves).
struct Live {
  Request q;
  int computed = 0;      // prompt tokens whose KV exists (cached or computed)
  int cached = 0;        // of them, loaded from the prefix cache
  sim::Time first_token = -1;
  int unit = -1, gpu = -1;
  int prefill_rank = -1;  // the DP rank its prompt's chunks run on (its KV is there)
  // Decode: the unit's steps it runs in (first .. last), and the tokens it
  // makes per step on average over them.
  long long first_step = 0, last_step = 0;
  double rate = 0;
};

// One decode GPU: its running requests and their KV, as sums. A running
// request's KV at the start of step k is its prompt, its first token and
// rate x (k - first_step) generated tokens.
struct DecodeGpu {
  int running = 0;
  double base = 0;        // sum of input + 1
  double rate = 0;        // sum of rates
  double rate_first = 0;  // sum of rate x first_step
  double kv_reserved = 0; // sum of input + output
  double kv(long long step) const { return base + rate * static_cast<double>(step) - rate_first; }
};

struct PrefillUnit {
  bool busy = false;
  int plans = 0;  // the expert plans it has loaded (re-planning)
  double nic_busy = 0;  // the share of its GPUs' NIC time the current step's exchanges take
  std::vector<std::pair<int, int>> batch;  // (request, tokens computed in this step)
};

using Finishing = std::priority_queue<std::pair<long long, int>, std::vector<std::pair<long long, int>>, std::greater<>>;

struct DecodeUnit {
  bool busy = false;
  int plans = 0;
  double nic_busy = 0;
  long long next_step = 0;  // the index of its next step
  std::vector<DecodeGpu> gpus;
  Finishing finishing;      // (last step, request)
};

class Simulation {
 public:
  Simulation(const ServingSpec& s, std::unique_ptr<RequestStream> source);
  ServingResult run();

 private:
  Live& live(int r) { return live_[static_cast<std::size_t>(r)]; }
  // Held nodes: both pools' units not released.
  int held_nodes() const { return prefill_ledger_->held_nodes() + decode_ledger_->held_nodes(); }

  // The requests (serving_sim.cpp).
  void pull();
  void leave(int r);
  void arrive(int r);
  void schedule_prefill();
  void prefill_done(int u);
  void kv_arrive(int r);
  void admit();
  void start_decode(int u);
  void decode_done(int u);
  void complete(int r);
  double nic_share(double bytes, double step_s) const;
  void record_step(bool prefill, int unit, double seconds, double load);
  ServingSample sample() const;

  // The fleet (fleet_operations.cpp, docs/fleet.md).
  void changed_units();
  void release(PoolLedger* pool, int u);
  void serve(PoolLedger* pool, int u);
  void drain(PoolLedger* pool, int u);
  void unit_ready(std::uint32_t target);
  void sync_load();
  double replan_pause(int pool, int& plans);
  void resize(PoolLedger* pool, int wanted, bool decode);
  void rescale();
  FleetResult fleet_result(const ServingResult& r);
  EplbResult eplb_result() const;

  static constexpr std::size_t kMaxSteps = 20000;
  const ServingSpec& s_;
  std::unique_ptr<RequestStream> source_;
  std::vector<Live> live_;  // requests in the system, by slot
  std::vector<int> free_;   // slots free for the next arrivals
  long long arrivals_ = 0;
  PrefixCache cache_;
  std::mt19937_64 rng_;
  std::unique_ptr<StepPrices> prices_;
  std::unique_ptr<ServingStats> stats_;
  sim::EventQueue q_;
  sim::Time now_ = 0;
  std::vector<PrefillUnit> prefill_;
  std::vector<DecodeUnit> decode_;
  std::deque<int> waiting_prefill_, waiting_decode_;
  std::set<std::tuple<double, int, int>> open_;  // (KV reserved, unit, GPU) of decode GPUs below their request limit
  bool source_done_ = false;
  double queued_tokens_ = 0;  // prompt tokens waiting for a prefill step
  // The fleet: units' states and their accounting, the policy, its signals.
  std::unique_ptr<PoolLedger> prefill_ledger_, decode_ledger_;
  std::unique_ptr<Autoscaler> autoscaler_;
  std::unique_ptr<ExpertReplanning> replan_;
  int check_stride_ = 1, load_checks_ = 0;
  std::array<double, 2> paused_s_{};
  bool slo_policy_ = false;
  double revenue_paid_ = 0;  // completed requests at their completion's price
  std::vector<double> interval_ttft_, interval_tpot_;  // the SLO policy's: latencies since its last look
  double prefill_busy_s_ = 0, prefill_serving_mark_ = 0;
  int nodes_peak_ = 0, nodes_min_ = 0;
  long long scale_ups_ = 0, scale_downs_ = 0;
  int loading_ = 0;     // waiting for a prefill step, their prefix loading included
  long long in_system_ = 0;
  long long prefill_steps_ = 0, decode_steps_ = 0;
  std::vector<UnitStep> steps_;
};

}  // namespace v3sim::models::detail
