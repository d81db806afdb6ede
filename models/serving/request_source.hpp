#pragma once
// Where a serving run's requests come from (docs/serving.md, "Requests"):
// a trace read as is (Mooncake JSONL, Azure LLM inference CSV, BurstGPT
// CSV) or a synthetic source (Poisson or gamma arrivals, length
// distributions, a prefix-sharing model), replayed at a time scale and
// superposed as independent copies. Plain data and readers; every malformed
// row is a sim::InputError naming the file and its line.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace v3sim::models {

struct Request {
  sim::Time arrival = 0;
  int input_len = 0;
  int output_len = 0;
  // The request's prompt as blocks of `block_tokens` tokens, each a key of
  // its content and everything before it (a prefix-cache key).
  std::vector<std::uint64_t> blocks;
  // A source that gives the cache's outcome instead of blocks: the prompt's
  // tokens found cached (read from the last tier); -1: look the blocks up.
  int cached_tokens = -1;
};

enum class TraceFormat { kMooncake, kAzure, kBurstGpt };

struct LengthDist {
  enum class Kind { kFixed, kUniform, kLognormal } kind = Kind::kFixed;
  int value = 0;            // fixed
  int min = 1, max = 1;     // uniform; lognormal's clamp
  double median = 0;        // lognormal
  double sigma = 0;         // lognormal: of the log
};

struct SyntheticSource {
  bool gamma = false;      // gamma arrivals (else Poisson)
  double rate_per_s = 0;
  std::vector<double> hourly_rate_per_s;  // an envelope instead: each hour's rate, from hour 0
  double cv = 1;           // gamma: the gaps' coefficient of variation
  int requests = 0;
  LengthDist input, output;
  int prefix_groups = 0;   // requests share their first prefix_tokens with one of these groups
  int prefix_tokens = 0;
  double hit_ratio = -1;   // >= 0: each prompt's share of tokens found cached, instead of blocks
  std::uint64_t seed = 1;
};

struct ServeGenSource {
  std::string dir;
  std::vector<int> clients;   // empty: every client in the directory
  double from_s = 0, to_s = 86400;
  std::uint64_t seed = 1;
};

struct SourceSpec {
  bool synthetic = false;
  bool servegen = false;     // ServeGen's per-client workload models (servegen_source.hpp)
  ServeGenSource clients;
  TraceFormat format = TraceFormat::kMooncake;
  std::string file;
  SyntheticSource gen;
  double time_scale = 1;  // arrivals at this many times the source's rate
  int copies = 1;         // independent copies superposed
  long long limit = 0;    // the first this many requests of the source (0: all)
  int block_tokens = 512; // the prefix-cache block (Mooncake's hash ids are 512-token blocks)
};

// Requests one at a time in arrival order, with the bounds a run needs
// before it starts: the longest prompt and prompt plus output (the step
// price surfaces' axes) and the arrivals' span (the sampling interval).
class RequestStream {
 public:
  virtual ~RequestStream() = default;
  virtual bool next(Request& r) = 0;
  int max_prompt() const { return max_prompt_; }
  int max_context() const { return max_context_; }
  double span_s() const { return span_s_; }

 protected:
  int max_prompt_ = 1, max_context_ = 1;
  double span_s_ = 0;
};

// Reads the `source` object at `pointer`.
SourceSpec parse_source(const nlohmann::json& source, const std::string& pointer);

// The requests in arrival order (ties: source order), arrivals from 0.
// Throws sim::InputError at `pointer`/file for an unreadable or malformed
// trace, naming the file and line.
std::vector<Request> load_requests(const SourceSpec& spec, const std::string& pointer);

// The source as a stream: a synthetic source (alone, unlimited) generated
// as the run pulls it, with no request kept after its turn; traces loaded
// by load_requests.
std::unique_ptr<RequestStream> open_requests(const SourceSpec& spec, const std::string& pointer);

// Prefix-block keys of a request's prompt that no other request shares.
std::vector<std::uint64_t> unique_blocks(std::uint64_t request, int input_len, int block_tokens);
// A synthetic source's requests, all at once (the stream's, in order).
std::vector<Request> synthesize(const SyntheticSource& g, int block_tokens);

// Parsers of one trace's text (exposed for tests and fuzzing); `name` is
// the file named in errors.
std::vector<Request> read_mooncake(const std::string& text, const std::string& name, const std::string& pointer,
                                   int block_tokens);
std::vector<Request> read_azure(const std::string& text, const std::string& name, const std::string& pointer,
                                int block_tokens);
std::vector<Request> read_burstgpt(const std::string& text, const std::string& name, const std::string& pointer,
                                   int block_tokens);

}  // namespace v3sim::models
