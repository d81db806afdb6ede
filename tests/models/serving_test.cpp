// The request level of serving: queueing against the M/D/1 closed form,
// conservation, Little's law on the run's own counts, the prefix cache's hit
// ratio against one computed from the hash ids, the low-load identities
// (TTFT one prefill step and the KV transfer, TPOT one decode step at batch
// 1), determinism, and the trace readers.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "models/inference/inference_ops.hpp"
#include "models/inference/inference_step.hpp"
#include "models/scenario.hpp"
#include "models/serving/prefix_cache.hpp"
#include "models/serving/servegen_source.hpp"
#include "models/serving/serving_sim.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

// A small deployment: a 4-layer V3 on 8-GPU prefill and 16-GPU decode units.
nlohmann::json scenario(const nlohmann::json& source, const nlohmann::json& patch = nlohmann::json::object()) {
  nlohmann::json doc = nlohmann::json::parse(R"({
    "cluster": {"node": "h800", "nodes": 3, "fabric": {"kind": "multi_plane_fat_tree", "planes": 8, "switch_ports": 64}},
    "workload": {"kind": "serving", "model": "deepseek-v3", "model_overrides": {"layers": 4, "dense_layers": 1},
      "prefill": {"units": 1, "deployment": {"ep": 8}, "tokens_per_gpu": 512},
      "decode": {"units": 1, "deployment": {"ep": 16}, "max_requests_per_gpu": 32}}})");
  doc["workload"]["source"] = source;
  doc["workload"].merge_patch(patch);
  return doc;
}

ServingSpec spec(const nlohmann::json& doc) { return *parse_scenario(doc).serving; }

nlohmann::json fixed_lengths(double rate, int requests, int input, int output, std::uint64_t seed = 1) {
  return {{"kind", "synthetic"}, {"rate_per_s", rate}, {"requests", requests},
          {"input_len", {{"kind", "fixed"}, {"value", input}}}, {"output_len", {{"kind", "fixed"}, {"value", output}}},
          {"seed", seed}};
}

// One prefill unit of one rank taking one request per step (each prompt
// fills its 4096 tokens), a fixed step of 0.1 s, Poisson arrivals at 5 per second,
// one-token outputs and a KV transfer of no consequence: an M/D/1 queue. Its
// mean wait is rho D / (2 (1 - rho)) with rho = 0.5, so TTFT averages
// 0.1 + 0.05 = 0.15 s.
TEST(Serving, PrefillQueueIsMD1) {
  const ServingSpec s = spec(scenario(fixed_lengths(5, 60000, 4096, 1, 7),
                                      {{"step_prices", {{"kind", "fixed"}, {"prefill_s", 0.1}, {"decode_s", 0.01}}},
                                       {"prefill", {{"deployment", {{"ep", 1}}}, {"tokens_per_gpu", 4096}}},
                                       {"kv_transfer_gb_per_s", 1e6}}));
  const ServingResult r = simulate_serving(s);
  ASSERT_EQ(r.completed, 60000);
  const double rho = 5 * 0.1;
  EXPECT_NEAR(r.ttft_s.mean, 0.1 + rho * 0.1 / (2 * (1 - rho)), 0.03 * 0.15);
  // Half the requests find the server idle: the median waits nothing.
  EXPECT_NEAR(r.ttft_s.p50, 0.1, 2e-3);
}

TEST(Serving, EveryRequestCompletesOrIsRefusedAndLittlesLawHolds) {
  nlohmann::json src = {{"kind", "synthetic"}, {"rate_per_s", 40}, {"requests", 600}, {"seed", 5},
                        {"input_len", {{"kind", "lognormal"}, {"median", 1500}, {"sigma", 1.0}, {"max", 60000}}},
                        {"output_len", {{"kind", "uniform"}, {"min", 1}, {"max", 300}}},
                        {"prefix", {{"groups", 8}, {"tokens", 1024}}}};
  const ServingSpec s = spec(scenario(src, {{"decode", {{"mtp", {{"depth", 1}, {"acceptance", 0.7}}}}},
                                            {"prefix_cache", {{"tiers", {{{"name", "dram"}, {"capacity_gb", 2}, {"read_gb_per_s", 10}}}}}}}));
  const std::vector<Request> req = load_requests(s.source, "/workload/source");
  double expected_output = 0;
  long long refused = 0;
  for (const Request& q : req) {
    if (q.input_len + q.output_len > s.decode.kv_capacity_tokens) ++refused;
    else expected_output += q.output_len;
  }
  const ServingResult r = simulate_serving(s);
  EXPECT_EQ(r.arrived, 600);
  EXPECT_EQ(r.completed + r.rejected, r.arrived);
  EXPECT_EQ(r.rejected, refused);
  EXPECT_DOUBLE_EQ(r.output_tokens, expected_output);
  // The queues' own counts, integrated over time, against arrivals x E2E.
  EXPECT_NEAR(r.mean_in_system, r.arrival_rate_per_s * r.e2e_s.mean, 1e-6 * r.mean_in_system);
  EXPECT_GT(r.hit_ratio, 0);
}

// Arrivals 20 s apart (every prefill long done): request i hits the run of
// its leading blocks some earlier request held, less its last prompt token.
TEST(Serving, UnlimitedPrefixCacheHitsWhatEarlierRequestsHeld) {
  nlohmann::json src = fixed_lengths(0.05, 40, 3000, 2, 9);
  src["prefix"] = {{"groups", 3}, {"tokens", 2048}};
  src["input_len"] = {{"kind", "uniform"}, {"min", 600}, {"max", 4000}};
  const ServingSpec s = spec(scenario(src, {{"prefix_cache", {{"tiers", {{{"name", "dram"}, {"read_gb_per_s", 50}}}}}}}));
  const std::vector<Request> req = load_requests(s.source, "/workload/source");
  std::set<std::uint64_t> seen;
  double hit = 0, input = 0;
  for (const Request& q : req) {
    int run = 0;
    while (run < static_cast<int>(q.blocks.size()) && seen.count(q.blocks[static_cast<std::size_t>(run)])) ++run;
    hit += std::min(run * 512, q.input_len - 1);
    input += q.input_len;
    seen.insert(q.blocks.begin(), q.blocks.end());
  }
  ASSERT_GT(hit, 0);
  const ServingResult r = simulate_serving(s);
  EXPECT_DOUBLE_EQ(r.hit_ratio, hit / input);
}

TEST(PrefixCache, EvictsLeastRecentToTheNextTierAndOutOfTheLast) {
  // One block a tier: A, then B pushes A down, then C pushes B down and A out.
  PrefixCache c({CacheTier{"hbm", 100, 1e9, 0}, CacheTier{"disk", 100, 1e8, 0}}, 100);
  c.insert({1});
  c.insert({2});
  c.insert({3});
  EXPECT_EQ(c.lookup({1}, 0).blocks, 0);
  const PrefixCache::Hit b = c.lookup({2}, 0);
  EXPECT_EQ(b.blocks, 1);
  EXPECT_DOUBLE_EQ(b.seconds, 100 / 1e8);  // read from the disk tier
  // B read back to the first tier; C went down.
  EXPECT_DOUBLE_EQ(c.lookup({2}, 0).seconds, 100 / 1e9);
  EXPECT_DOUBLE_EQ(c.lookup({3}, 0).seconds, 100 / 1e8);
  // A prefix: the run stops at the first block missing.
  EXPECT_EQ(c.lookup({3, 9, 2}, 0).blocks, 1);
}

// A shared tier (a disk store's aggregate bandwidth): reads queue first come,
// first served at its total rate, each no faster than its client's rate.
TEST(PrefixCache, ASharedTierQueuesReadsAtItsTotalBandwidth) {
  // One unlimited tier: 100-byte blocks, 1e8 B/s per client, 1e8 B/s in total.
  PrefixCache c({CacheTier{"3fs", 0, 1e8, 1e8}}, 100);
  c.insert({1, 2});
  c.insert({3});
  // At t = 0 two blocks (2 us at either rate); at once another request's
  // block waits behind them: done at 3 us, 3 us after it asked.
  EXPECT_NEAR(c.lookup({1, 2}, 0).seconds, 2e-6, 1e-15);
  EXPECT_NEAR(c.lookup({3}, 0).seconds, 3e-6, 1e-15);
  // Later, with the queue empty, a read takes its own time again.
  EXPECT_NEAR(c.lookup({3}, 1.0).seconds, 1e-6, 1e-12);
  // A per-client rate slower than the total share bounds a lone read.
  PrefixCache slow({CacheTier{"3fs", 0, 1e7, 1e9}}, 100);
  slow.insert({4});
  EXPECT_NEAR(slow.lookup({4}, 0).seconds, 1e-5, 1e-15);
}

// A prefill step with one rank of `lone` tokens and the rest idle, priced as
// serving prices it: the step model (on the unit's per-layer envelope, at the
// faster of one and two micro-batches) at the mean rank, plus the lone
// rank's own compute and its exchanges beyond the mean rank's (the
// exchanges at the grid's shortest prompt, 16: they go by tokens sent).
double lone_rank_step(const ServingSpec& s, ClusterConfig pc, int lone, int prompt) {
  pc.gpu.hbm_gb = 1e9;
  auto unit = [&](int tokens, bool overlap, int len = 0) {
    InferenceSpec p = s.prefill.unit;
    p.tokens_per_gpu = tokens;
    p.prompt_len = len > 0 ? len : prompt;
    p.layer_envelope = true;
    p.deployment.two_micro_batch = overlap;
    return p;
  };
  auto best = [&](int tokens, int len = 0) {
    InferenceResult a = simulate_inference(pc, unit(tokens, true, len), false);
    const InferenceResult b = simulate_inference(pc, unit(tokens, false, len), false);
    return b.step_s < a.step_s ? b : a;
  };
  const int mean = lone / s.prefill.unit.deployment.ep;
  const double local = rank_local_seconds(pc, unit(lone, true)) - rank_local_seconds(pc, unit(mean, true));
  EXPECT_GT(local, 0);  // the lone rank's own work is the larger
  const double sends = (best(lone, 16).comm_busy_ms_max - best(mean, 16).comm_busy_ms_max) * 1e-3;
  return best(mean).step_s + local + sends;
}

// One request alone: its TTFT is one prefill step of its 4096-token prompt
// on one of the unit's 8 ranks plus moving its KV at the NIC's rate; its
// TPOT one decode step of one request at its KV length. The prefill step as
// lone_rank_step prices it (the mean rank holds 512 tokens).
TEST(Serving, AtLowLoadTtftIsOnePrefillStepAndTheTransfer) {
  const ServingSpec s = spec(scenario(fixed_lengths(1, 1, 4096, 4), {{"prefill", {{"tokens_per_gpu", 4096}}}}));
  const ServingResult r = simulate_serving(s);
  ASSERT_EQ(r.completed, 1);
  ClusterConfig pc = s.prefill.cluster, dc = s.decode.cluster;
  pc.gpu.hbm_gb = dc.gpu.hbm_gb = 1e9;
  const double step = lone_rank_step(s, pc, 4096, 4096);
  const double kv_bytes = 4096.0 * (512 + 64) * 2 * 4;  // BF16 latent and RoPE key, 4 layers
  const double transfer = kv_bytes / (43.5e9);          // the H800's achievable RDMA rate
  EXPECT_NEAR(r.ttft_s.mean, step + transfer, 1e-8);
  InferenceSpec d = s.decode.unit;
  d.requests_per_gpu = 1;
  d.kv_len = d.kv_len_max = 4098;
  d.deployment.two_micro_batch = false;
  d.layer_envelope = true;
  EXPECT_NEAR(r.tpot_s.mean / simulate_inference(dc, d).step_s, 1.0, 1e-3);
}

// The KV transfer shares the prefill GPU's NIC with the expert-parallel
// exchanges: a prefill unit over two nodes (EP16) sends a share u of its
// step's NIC time over the fabric; max-min sharing leaves the transfer
// (1 - u/2) of its rate (the decode side has not stepped yet: u = 0 there).
TEST(Serving, TheKvTransferSharesTheNicWithTheExchanges) {
  const ServingSpec s = spec(scenario(fixed_lengths(1, 1, 4096, 2),
                                      {{"prefill", {{"deployment", {{"ep", 16}}}, {"tokens_per_gpu", 4096}}},
                                       {"decode", {{"deployment", {{"ep", 8}}}}}}));
  const ServingResult r = simulate_serving(s);
  ASSERT_EQ(r.completed, 1);
  ClusterConfig pc = s.prefill.cluster;
  pc.gpu.hbm_gb = 1e9;
  auto unit = [&](int tokens, bool overlap) {
    InferenceSpec p = s.prefill.unit;
    p.tokens_per_gpu = tokens;
    p.prompt_len = 4096;
    p.layer_envelope = true;
    p.deployment.two_micro_batch = overlap;
    return p;
  };
  const double step = lone_rank_step(s, pc, 4096, 4096);
  // The NIC's bytes per token from a full step; the mean rank's share of them.
  const double per_token = simulate_inference(pc, unit(4096, true)).nic_bytes_per_gpu / 4096;
  ASSERT_GT(per_token, 0);
  const double u = per_token * 256 / 50e9 / step;  // 400 Gbit/s a GPU
  const double kv_bytes = 4096.0 * (512 + 64) * 2 * 4;
  EXPECT_NEAR(r.ttft_s.mean, step + kv_bytes / (43.5e9 * (1 - u / 2)), 1e-8);
}

// A prompt runs on one DP rank: 4096 tokens at 512 a rank per step take
// eight steps (the other seven ranks cannot help), and a second prompt
// arriving meanwhile starts at once on another rank.
TEST(Serving, APromptIsChunkedOnItsOwnRank) {
  nlohmann::json src = {{"kind", "synthetic"}, {"rate_per_s", 1e6}, {"requests", 2}, {"seed", 1},
                        {"input_len", {{"kind", "fixed"}, {"value", 4096}}}, {"output_len", {{"kind", "fixed"}, {"value", 1}}}};
  const ServingSpec s = spec(scenario(src, {{"step_prices", {{"kind", "fixed"}, {"prefill_s", 0.1}, {"decode_s", 0.01}}},
                                            {"kv_transfer_gb_per_s", 1e6}}));
  const ServingResult r = simulate_serving(s);
  ASSERT_EQ(r.completed, 2);
  // The first alone in step 1, then both: 8 steps for the first, 8 from
  // step 2 for the second; arrivals microseconds apart.
  EXPECT_NEAR(r.ttft_s.mean, (8 * 0.1 + 8 * 0.1 + 0.1) / 2, 1e-3);
  EXPECT_EQ(r.prefill_steps, 9);
}

TEST(Serving, SameInputSameResult) {
  nlohmann::json src = fixed_lengths(30, 200, 2000, 50, 4);
  src["input_len"] = {{"kind", "lognormal"}, {"median", 1000}, {"sigma", 0.7}, {"max", 8000}};
  const ServingSpec s = spec(scenario(src, {{"decode", {{"mtp", {{"depth", 1}, {"acceptance", 0.8}}}}}}));
  const ServingResult a = simulate_serving(s), b = simulate_serving(s);
  EXPECT_EQ(a.ttft_s.mean, b.ttft_s.mean);
  EXPECT_EQ(a.tpot_s.p99, b.tpot_s.p99);
  EXPECT_EQ(a.decode_steps, b.decode_steps);
}

TEST(Serving, TraceHoldsTheChosenUnitsStepsInItsWindow) {
  const ServingSpec s = spec(scenario(fixed_lengths(30, 200, 2000, 50, 4), {{"trace", {{"from_s", 2}, {"to_s", 3}}}}));
  const ServingResult r = simulate_serving(s);
  ASSERT_FALSE(r.steps.empty());
  for (const UnitStep& st : r.steps) {
    EXPECT_GE(sim::to_seconds(st.end), 2.0);
    EXPECT_LE(sim::to_seconds(st.start), 3.0);
    EXPECT_EQ(st.unit, 0);
  }
  EXPECT_LT(r.steps.size(), static_cast<std::size_t>(r.prefill_steps + r.decode_steps));
}

TEST(RequestSource, TraceReadersAndTheirErrors) {
  const std::string moon = R"({"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [1, 2]}
{"timestamp": 1500, "input_length": 512, "output_length": 3, "hash_ids": [1]})";
  const auto m = read_mooncake(moon, "m.jsonl", "/p", 512);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[1].arrival, sim::from_seconds(1.5));
  EXPECT_EQ(m[1].blocks, std::vector<std::uint64_t>{1});
  auto message = [](const std::function<void()>& f) -> std::string {
    try {
      f();
    } catch (const sim::InputError& e) {
      return e.pointer() + " " + e.what();
    }
    return "";
  };
  EXPECT_EQ(message([] { read_mooncake("{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": [1]}", "m.jsonl", "/p", 512); }),
            "/p trace 'm.jsonl' line 1: expected 2 hash ids for 600 input tokens in 512-token blocks, got 1");
  EXPECT_NE(message([] { read_mooncake("{}\n{\"timestamp\": -1}", "m.jsonl", "/p", 512); }).find("line 1"), std::string::npos);
  const auto a = read_azure("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.5,374,44\n2023-11-16 18:16:47.0,10,1\n",
                            "a.csv", "/p", 512);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[1].arrival, sim::from_seconds(60.5));
  EXPECT_NE(message([] { read_azure("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,x,4\n", "a.csv", "/p", 512); })
                .find("trace 'a.csv' line 2: expected ContextTokens"),
            std::string::npos);
  // Out of order, absurd, negative: each names its line.
  EXPECT_NE(message([] { read_mooncake("{\"timestamp\": 5, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": [1]}\n"
                                       "{\"timestamp\": 4, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": [2]}", "m.jsonl", "/p", 512); })
                .find("line 2: expected timestamps in order"),
            std::string::npos);
  EXPECT_NE(message([] { read_mooncake("{\"timestamp\": 1e15, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": [1]}", "m.jsonl", "/p", 512); })
                .find("line 1: expected a timestamp"),
            std::string::npos);
  EXPECT_NE(message([] { read_azure("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,-3,4\n", "a.csv", "/p", 512); })
                .find("line 2: expected ContextTokens an integer in [1"),
            std::string::npos);
  EXPECT_NE(message([] { read_azure("TIME,ContextTokens,GeneratedTokens\n", "a.csv", "/p", 512); }).find("line 1: expected a header with column 'TIMESTAMP'"),
            std::string::npos);
  // BurstGPT: a failed request (no response tokens) is dropped.
  const auto b = read_burstgpt("Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n5,ChatGPT,100,20,120,Conversation log\n7,GPT-4,50,0,50,Conversation log\n",
                               "b.csv", "/p", 512);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].input_len, 100);
}

TEST(RequestSource, CopiesAndTimeScale) {
  SourceSpec s;
  s.synthetic = true;
  s.gen.rate_per_s = 10;
  s.gen.requests = 100;
  s.gen.input.value = 1000;
  s.gen.output.value = 10;
  const std::vector<Request> one = load_requests(s, "/s");
  s.copies = 3;
  s.time_scale = 2;
  const std::vector<Request> three = load_requests(s, "/s");
  ASSERT_EQ(three.size(), 300u);
  // Three times the requests in half the span: six times the rate.
  EXPECT_LE(three.back().arrival, one.back().arrival / 2 + 1);
  std::set<std::uint64_t> blocks;
  for (const Request& r : three) blocks.insert(r.blocks.begin(), r.blocks.end());
  EXPECT_EQ(blocks.size(), 300u * 2);  // the copies' blocks kept apart
}

// An hourly envelope: 0.5 requests/s, an idle hour, 2 requests/s.
TEST(RequestSource, HourlyEnvelope) {
  SourceSpec s;
  s.synthetic = true;
  s.gen.hourly_rate_per_s = {0.5, 0, 2};
  s.gen.requests = 1 << 26;
  s.gen.input.value = 100;
  s.gen.output.value = 10;
  const std::vector<Request> r = load_requests(s, "/s");
  std::vector<double> hour(3, 0);
  for (const Request& q : r) hour[static_cast<std::size_t>(sim::to_seconds(q.arrival) / 3600)] += 1;
  EXPECT_NEAR(hour[0], 1800, 4 * std::sqrt(1800.0));
  EXPECT_EQ(hour[1], 0);
  EXPECT_NEAR(hour[2], 7200, 4 * std::sqrt(7200.0));
}

TEST(RequestSource, ServeGenClientModels) {
  EXPECT_EQ(parse_pmf("{45: 0.25, 46: 0.75}"), (std::vector<std::pair<double, double>>{{45, 0.25}, {46, 0.75}}));
  EXPECT_THROW(parse_pmf("45: 0.25"), std::invalid_argument);
  // One client: 600 s at 2 requests/s (Poisson), 600 s idle, 600 s at 2/s
  // with CV 3 (Gamma); prompts of 100 tokens, outputs of 10 or 30.
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "v3sim_servegen_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "chunk-7-trace.csv") << "0,2,1,Exponential,2,0\n600,0,0,,0,0\n1200,2,3,Gamma,0.11,4.5\n";
  std::ofstream(dir / "chunk-7-dataset.json")
      << R"({"0": {"input_tokens": "{100: 1.0}", "output_tokens": "{10: 0.5, 30: 0.5}", "reason_ratio": "{0.0: 1.0}"}})";
  ServeGenSource c;
  c.dir = dir.string();
  const std::vector<Request> r = servegen_requests(c, "/p", 512);
  long long first = 0, idle = 0, gamma = 0;
  double out = 0;
  for (const Request& q : r) {
    const double t = sim::to_seconds(q.arrival);
    (t < 600 ? first : t < 1200 ? idle : gamma) += 1;
    EXPECT_EQ(q.input_len, 100);
    out += q.output_len;
  }
  EXPECT_NEAR(first, 1200, 4 * std::sqrt(1200.0));
  EXPECT_EQ(idle, 0);
  EXPECT_NEAR(gamma, 1200, 0.35 * 1200);  // gaps of CV 3: a count that varies more
  EXPECT_NEAR(out / static_cast<double>(r.size()), 20, 1.5);
  std::ofstream(dir / "chunk-7-trace.csv") << "0,2,1,Lognormal,2,0\n";
  try {
    servegen_requests(c, "/p", 512);
    ADD_FAILURE();
  } catch (const sim::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("chunk-7-trace.csv' line 1: expected the family"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

// The shared traces, where present (never part of the project).
TEST(RequestSource, MooncakeConversationTraceFromShared) {
  const std::filesystem::path f = std::filesystem::path(V3SIM_SOURCE_DIR) / "../shared/traces/mooncake-fast25/conversation_trace.jsonl";
  if (!std::filesystem::exists(f)) GTEST_SKIP() << "../shared/traces is absent: the Mooncake trace is not part of the project";
  SourceSpec s;
  s.file = f.string();
  const std::vector<Request> r = load_requests(s, "/s");
  EXPECT_EQ(r.size(), 12031u);  // SOURCES.txt's count
}

}  // namespace
}  // namespace v3sim::models
