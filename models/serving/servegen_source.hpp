#pragma once
// ServeGen's per-client workload models (alibaba/ServeGen, e.g. its
// DeepSeek-R1 clients on Alibaba Bailian): for each client, `chunk-<i>-trace.csv`
// gives each 600 s window's request rate, the gaps' coefficient of variation
// and their family (Gamma, Weibull, Exponential, or none: no requests), and
// `chunk-<i>-dataset.json` the probability mass of input and output lengths
// for each six-hour window. Requests are drawn from them (docs/serving.md).
#include <cstdint>
#include <string>
#include <vector>

#include "models/serving/request_source.hpp"

namespace v3sim::models {

// Requests of the clients between from_s and to_s (arrivals from from_s),
// in arrival order; a malformed file is a sim::InputError at `pointer`
// naming the file and line.
std::vector<Request> servegen_requests(const ServeGenSource& spec, const std::string& pointer, int block_tokens);

// A Python dict literal of numbers ("{45: 0.0097, 46: 0.0117}") as pairs;
// throws std::invalid_argument on anything else.
std::vector<std::pair<double, double>> parse_pmf(const std::string& text);

}  // namespace v3sim::models
