// The request streams (request_source.hpp): the synthetic source generated
// as the run pulls it, and loaded requests handed out in order.
#include "models/serving/request_source.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace v3sim::models {
namespace {

int draw_length(const LengthDist& d, std::mt19937_64& rng) {
  switch (d.kind) {
    case LengthDist::Kind::kFixed: return d.value;
    case LengthDist::Kind::kUniform: return std::uniform_int_distribution<int>(d.min, d.max)(rng);
    case LengthDist::Kind::kLognormal: {
      const double x = std::lognormal_distribution<double>(std::log(d.median), d.sigma)(rng);
      return std::clamp(static_cast<int>(std::lround(x)), d.min, d.max);
    }
  }
  return d.value;
}

// The synthetic source, one request at a time: arrivals from one engine,
// lengths and prefix groups from another, so that neither depends on how
// far the other has run.
class SyntheticStream final : public RequestStream {
 public:
  SyntheticStream(const SyntheticSource& g, int block_tokens, double time_scale)
      : g_(g), block_tokens_(block_tokens), time_scale_(time_scale), arrivals_(g.seed),
        attributes_(g.seed ^ 0x5bd1e9955bd1e995ULL), shape_(1 / (g.cv * g.cv)) {
    max_prompt_ = max_length(g.input);
    max_context_ = max_prompt_ + max_length(g.output);
    span_s_ = (g.hourly_rate_per_s.empty() ? g.requests / g.rate_per_s : 3600.0 * static_cast<double>(g.hourly_rate_per_s.size())) /
              time_scale;
    if (!g.hourly_rate_per_s.empty()) t_ = -1;  // the first hour not started
  }

  bool next(Request& r) override {
    if (made_ >= g_.requests) return false;
    double t;
    if (!next_arrival(t)) return false;
    r.arrival = sim::from_seconds(t / time_scale_);
    r.input_len = draw_length(g_.input, attributes_);
    r.output_len = std::max(1, draw_length(g_.output, attributes_));
    if (g_.hit_ratio >= 0) {
      // No blocks: the prompt's share of cached tokens is given.
      r.cached_tokens = static_cast<int>(std::lround(g_.hit_ratio * r.input_len));
      ++made_;
      return true;
    }
    r.blocks = unique_blocks(static_cast<std::uint64_t>(made_), r.input_len, block_tokens_);
    if (g_.prefix_groups > 0) {
      // The shared prefix's whole blocks are keyed by the group alone.
      const std::uint64_t group = std::uniform_int_distribution<int>(0, g_.prefix_groups - 1)(attributes_);
      const std::size_t shared = static_cast<std::size_t>(std::min(g_.prefix_tokens, r.input_len) / block_tokens_);
      for (std::size_t b = 0; b < shared && b < r.blocks.size(); ++b) r.blocks[b] = (group << 24) | b;
    }
    ++made_;
    return true;
  }

 private:
  static int max_length(const LengthDist& d) {
    return d.kind == LengthDist::Kind::kFixed ? d.value : d.max;
  }

  double gap(double rate) {
    return g_.gamma ? std::gamma_distribution<double>(shape_, 1 / (rate * shape_))(arrivals_)
                    : std::exponential_distribution<double>(rate)(arrivals_);
  }

  // One rate throughout, or an hourly envelope (a renewal process restarted
  // at each hour at that hour's rate; an hour at rate 0 is idle).
  bool next_arrival(double& t) {
    if (g_.hourly_rate_per_s.empty()) {
      t = t_ += gap(g_.rate_per_s);
      return true;
    }
    for (;;) {
      if (hour_ >= g_.hourly_rate_per_s.size()) return false;
      const double rate = g_.hourly_rate_per_s[hour_];
      if (rate > 0) {
        const double x = (t_ < 3600.0 * static_cast<double>(hour_) ? 3600.0 * static_cast<double>(hour_) : t_) + gap(rate);
        if (x < 3600.0 * static_cast<double>(hour_ + 1)) {
          t = t_ = x;
          return true;
        }
      }
      ++hour_;
      t_ = 3600.0 * static_cast<double>(hour_) - 1;  // below the hour: restart there
    }
  }

  const SyntheticSource& g_;
  int block_tokens_;
  double time_scale_;
  std::mt19937_64 arrivals_, attributes_;
  double shape_;
  double t_ = 0;
  std::size_t hour_ = 0;
  int made_ = 0;
};

// Requests loaded whole (traces, superposed copies), handed out in order.
class LoadedStream final : public RequestStream {
 public:
  explicit LoadedStream(std::vector<Request> requests) : requests_(std::move(requests)) {
    for (const Request& r : requests_) {
      max_prompt_ = std::max(max_prompt_, r.input_len);
      max_context_ = std::max(max_context_, r.input_len + r.output_len);
    }
    span_s_ = requests_.empty() ? 0 : sim::to_seconds(requests_.back().arrival - requests_.front().arrival);
  }
  bool next(Request& r) override {
    if (at_ >= requests_.size()) return false;
    r = std::move(requests_[at_++]);
    return true;
  }

 private:
  std::vector<Request> requests_;
  std::size_t at_ = 0;
};

}  // namespace

std::vector<Request> synthesize(const SyntheticSource& g, int block_tokens) {
  SyntheticStream stream(g, block_tokens, 1);
  std::vector<Request> out;
  Request r;
  while (stream.next(r)) out.push_back(std::move(r));
  return out;
}

std::unique_ptr<RequestStream> open_requests(const SourceSpec& spec, const std::string& pointer) {
  // A synthetic source alone is generated as the run goes; anything else is
  // loaded whole (superposed copies need the source's span first).
  if (spec.synthetic && spec.copies == 1 && spec.limit == 0)
    return std::make_unique<SyntheticStream>(spec.gen, spec.block_tokens, spec.time_scale);
  return std::make_unique<LoadedStream>(load_requests(spec, pointer));
}

}  // namespace v3sim::models
