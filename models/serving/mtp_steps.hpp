#pragma once
// How many decode steps a request takes to make its tokens with multi-token
// prediction: each step makes one token, and each of its `depth` drafted
// tokens is accepted in turn with probability `acceptance` (the first refusal
// drops the rest). Drawn exactly from that per-step distribution, once per
// request when it is admitted, so that a decode step costs nothing per
// running request.
#include <random>

namespace v3sim::models {

// Steps to make `tokens` tokens (the last step may make more than needed).
// Exact: m steps are drawn at once (a multinomial over how many drafts each
// accepted) while m steps cannot make the tokens left, then one at a time;
// about (depth + 1) log(tokens) draws.
long long decode_steps(long long tokens, int depth, double acceptance, std::mt19937_64& rng);

}  // namespace v3sim::models
