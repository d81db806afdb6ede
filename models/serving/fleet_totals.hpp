#pragma once
// A fleet run's totals from its pools' ledgers (docs/fleet.md): nodes held
// on average, node-hours, released node-hours, per-node throughputs, and
// with prices the cost of node-hours and the revenue of the run's tokens.
#include "models/serving/pool_ledger.hpp"
#include "models/serving/serving_sim.hpp"
#include "models/serving/serving_spec.hpp"

namespace v3sim::models {

// Both ledgers are accounted up to `end_s` first. Peak and minimum nodes,
// speeds, scaling counts and revenue paid are the simulation's to fill.
FleetResult fleet_totals(const ServingSpec& s, const ServingResult& r, PoolLedger& prefill, PoolLedger& decode,
                         double end_s);

}  // namespace v3sim::models
