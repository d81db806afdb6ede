#include "models/serving/request_source.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "models/serving/servegen_source.hpp"
#include "sim/json_reader.hpp"

namespace v3sim::models {

// Block keys of requests without prefix information: unique to the request
// (bit 62 keeps them apart from a trace's own ids).
constexpr std::uint64_t kUniqueBit = 1ULL << 62;

std::vector<std::uint64_t> unique_blocks(std::uint64_t request, int input_len, int block_tokens) {
  std::vector<std::uint64_t> b;
  const int n = (input_len + block_tokens - 1) / block_tokens;
  // Bits: 62 unique, 22-51 the request (below 2^30, the sources' limit),
  // 0-21 the block (a prompt of at most 2^22 tokens); 52-61 are left for the
  // copy's namespace.
  for (int i = 0; i < n; ++i) b.push_back(kUniqueBit | (request << 22) | static_cast<std::uint64_t>(i));
  return b;
}

namespace {

constexpr int kMaxTokens = 1 << 22;
// Arrivals beyond this many seconds (about 30 years) are taken for a unit error.
constexpr double kMaxSeconds = 1e9;
[[noreturn]] void bad_row(const std::string& pointer, const std::string& name, std::size_t line, const std::string& what) {
  throw sim::InputError(pointer, "trace '" + name + "' line " + std::to_string(line) + ": " + what);
}


int token_count(const std::string& field, const std::string& pointer, const std::string& name, std::size_t line,
                const std::string& column, int min) {
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(field, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != field.size() || v < min || v > kMaxTokens)
    bad_row(pointer, name, line, "expected " + column + " an integer in [" + std::to_string(min) + ", " +
                                     std::to_string(kMaxTokens) + "], got '" + field + "'");
  return static_cast<int>(v);
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.push_back("");
  for (std::string& c : out)
    while (!c.empty() && (c.back() == '\r' || c.back() == ' ')) c.pop_back();
  return out;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

// "2023-11-16 18:15:46.6805900" -> seconds since the epoch.
bool parse_datetime(const std::string& s, double& out) {
  int y, mo, d, h, mi;
  double sec;
  char tail;
  if (std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%lf%c", &y, &mo, &d, &h, &mi, &sec, &tail) != 6) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec >= 61) return false;
  out = static_cast<double>(days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d))) * 86400 + h * 3600.0 +
        mi * 60.0 + sec;
  return true;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  return lines;
}

// Each CSV trace: a header naming its columns, then rows.
struct CsvColumns {
  std::size_t time, input, output;
};

CsvColumns find_columns(const std::string& header, const std::string& pointer, const std::string& name,
                        const std::vector<std::string>& wanted) {
  const std::vector<std::string> h = split_csv(header);
  std::vector<std::size_t> at;
  for (const std::string& w : wanted) {
    const auto it = std::find(h.begin(), h.end(), w);
    if (it == h.end()) bad_row(pointer, name, 1, "expected a header with column '" + w + "'");
    at.push_back(static_cast<std::size_t>(it - h.begin()));
  }
  return {at[0], at[1], at[2]};
}

LengthDist parse_length(sim::ObjectReader in) {
  in.only_keys({"kind", "value", "min", "max", "median", "sigma"});
  LengthDist d;
  const std::string kind = in.one_of("kind", {"fixed", "uniform", "lognormal"});
  if (kind == "fixed") {
    d.value = static_cast<int>(in.integer("value", 1, kMaxTokens));
  } else if (kind == "uniform") {
    d.kind = LengthDist::Kind::kUniform;
    d.min = static_cast<int>(in.integer("min", 1, kMaxTokens));
    d.max = static_cast<int>(in.integer("max", d.min, kMaxTokens));
  } else {
    d.kind = LengthDist::Kind::kLognormal;
    d.median = in.number("median", 1, kMaxTokens);
    d.sigma = in.number("sigma", 0, 10);
    d.min = static_cast<int>(in.optional_integer("min", 1, kMaxTokens).value_or(1));
    d.max = static_cast<int>(in.optional_integer("max", d.min, kMaxTokens).value_or(kMaxTokens));
  }
  return d;
}

}  // namespace

SourceSpec parse_source(const nlohmann::json& source, const std::string& pointer) {
  sim::ObjectReader in(source, pointer);
  in.only_keys({"kind", "file", "time_scale", "copies", "limit", "block_tokens", "arrivals", "rate_per_s",
                "hourly_rate_per_s", "cv",
                "requests", "input_len", "output_len", "prefix", "seed", "dir", "clients", "from_s", "to_s"});
  SourceSpec s;
  const std::string kind = in.one_of("kind", {"mooncake", "azure", "burstgpt", "servegen", "synthetic"});
  s.time_scale = in.optional_number("time_scale", 1e-6, 1e6).value_or(1);
  s.copies = static_cast<int>(in.optional_integer("copies", 1, 1024).value_or(1));
  s.limit = in.optional_integer("limit", 1, 1LL << 40).value_or(0);
  s.block_tokens = static_cast<int>(in.optional_integer("block_tokens", 1, 1 << 20).value_or(512));
  if (kind == "servegen") {
    s.servegen = true;
    ServeGenSource& c = s.clients;
    c.dir = in.string("dir");
    if (const nlohmann::json* ids = in.child("clients")) {
      if (!ids->is_array()) throw sim::InputError(in.child_pointer("clients"), "expected an array of client numbers");
      for (const nlohmann::json& i : *ids) {
        if (!i.is_number_integer() || i.get<long long>() < 0 || i.get<long long>() > 1000000)
          throw sim::InputError(in.child_pointer("clients"), "expected client numbers >= 0");
        c.clients.push_back(i.get<int>());
      }
    }
    c.from_s = in.optional_number("from_s", 0, 1e9).value_or(0);
    c.to_s = in.optional_number("to_s", c.from_s, 1e9).value_or(86400);
    c.seed = static_cast<std::uint64_t>(in.optional_integer("seed", 0, 1LL << 62).value_or(1));
    return s;
  }
  if (kind != "synthetic") {
    s.format = kind == "mooncake" ? TraceFormat::kMooncake : kind == "azure" ? TraceFormat::kAzure : TraceFormat::kBurstGpt;
    s.file = in.string("file");
    if (s.format == TraceFormat::kMooncake && s.block_tokens != 512)
      throw sim::InputError(in.child_pointer("block_tokens"), "expected 512: Mooncake's hash ids key 512-token blocks");
    return s;
  }
  s.synthetic = true;
  SyntheticSource& g = s.gen;
  g.gamma = in.optional_one_of("arrivals", {"poisson", "gamma"}).value_or("poisson") == "gamma";
  if (const nlohmann::json* hours = in.child("hourly_rate_per_s")) {
    const std::string at = in.child_pointer("hourly_rate_per_s");
    if (in.has("rate_per_s")) throw sim::InputError(at, "expected either rate_per_s or hourly_rate_per_s, not both");
    if (!hours->is_array() || hours->empty() || hours->size() > 24 * 366)
      throw sim::InputError(at, "expected an array of requests per second, one per hour");
    for (const nlohmann::json& r : *hours) {
      if (!r.is_number() || !(r.get<double>() >= 0 && r.get<double>() <= 1e9))
        throw sim::InputError(at, "expected rates in [0, 10^9] requests per second");
      g.hourly_rate_per_s.push_back(r.get<double>());
    }
    if (*std::max_element(g.hourly_rate_per_s.begin(), g.hourly_rate_per_s.end()) <= 0)
      throw sim::InputError(at, "expected some hour with requests");
    // At most this many requests (all the envelope gives by default).
    g.requests = static_cast<int>(in.optional_integer("requests", 1, 1 << 30).value_or(1 << 30));
  } else {
    g.rate_per_s = in.number("rate_per_s", 1e-9, 1e9);
    g.requests = static_cast<int>(in.integer("requests", 1, 1 << 30));
  }
  g.cv = g.gamma ? in.number("cv", 1e-3, 100) : 1;
  g.input = parse_length(in.object("input_len"));
  g.output = parse_length(in.object("output_len"));
  if (in.has("prefix")) {
    // Shared prefixes among groups (hits found by the cache), or a share of
    // every prompt given as cached (the cache's outcome as an input).
    sim::ObjectReader p = in.object("prefix");
    p.only_keys({"groups", "tokens", "hit_ratio"});
    if (p.has("hit_ratio")) {
      if (p.has("groups") || p.has("tokens"))
        throw sim::InputError(p.child_pointer("hit_ratio"), "expected either hit_ratio or groups and tokens, not both");
      g.hit_ratio = p.number("hit_ratio", 0, 1);
    } else {
      g.prefix_groups = static_cast<int>(p.integer("groups", 1, 1 << 24));
      g.prefix_tokens = static_cast<int>(p.integer("tokens", 1, kMaxTokens));
    }
  }
  g.seed = static_cast<std::uint64_t>(in.optional_integer("seed", 0, 1LL << 62).value_or(1));
  return s;
}

std::vector<Request> read_mooncake(const std::string& text, const std::string& name, const std::string& pointer,
                                   int block_tokens) {
  std::vector<Request> out;
  const std::vector<std::string> lines = lines_of(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json row;
    try {
      row = nlohmann::json::parse(lines[i]);
    } catch (const nlohmann::json::parse_error&) {
      bad_row(pointer, name, i + 1, "expected a JSON object");
    }
    auto number = [&](const char* key, int min) {
      if (!row.is_object() || !row.contains(key) || !row[key].is_number_integer())
        bad_row(pointer, name, i + 1, std::string("expected an integer '") + key + "'");
      return token_count(std::to_string(row[key].get<long long>()), pointer, name, i + 1, key, min);
    };
    Request r;
    if (!row.is_object() || !row.contains("timestamp") || !row["timestamp"].is_number() ||
        !(row["timestamp"].get<double>() >= 0 && row["timestamp"].get<double>() <= kMaxSeconds * 1e3))
      bad_row(pointer, name, i + 1, "expected a timestamp in ms, >= 0 and under 10^12");
    r.arrival = sim::from_seconds(row["timestamp"].get<double>() * 1e-3);
    if (!out.empty() && r.arrival < out.back().arrival) bad_row(pointer, name, i + 1, "expected timestamps in order");
    r.input_len = number("input_length", 1);
    r.output_len = number("output_length", 1);
    if (!row.contains("hash_ids") || !row["hash_ids"].is_array())
      bad_row(pointer, name, i + 1, "expected 'hash_ids', an array of block ids");
    for (const nlohmann::json& h : row["hash_ids"]) {
      if (!h.is_number_unsigned()) bad_row(pointer, name, i + 1, "expected hash ids >= 0");
      // A trace's ids below bit 52 (a copy's namespace lies above).
      r.blocks.push_back(h.get<std::uint64_t>() & ((1ULL << 52) - 1));
    }
    const std::size_t need = static_cast<std::size_t>((r.input_len + block_tokens - 1) / block_tokens);
    if (r.blocks.size() != need)
      bad_row(pointer, name, i + 1, "expected " + std::to_string(need) + " hash ids for " +
                                        std::to_string(r.input_len) + " input tokens in " +
                                        std::to_string(block_tokens) + "-token blocks, got " +
                                        std::to_string(r.blocks.size()));
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Request> read_azure(const std::string& text, const std::string& name, const std::string& pointer,
                                int block_tokens) {
  const std::vector<std::string> lines = lines_of(text);
  if (lines.empty()) bad_row(pointer, name, 1, "expected a header TIMESTAMP,ContextTokens,GeneratedTokens");
  const CsvColumns c = find_columns(lines[0], pointer, name, {"TIMESTAMP", "ContextTokens", "GeneratedTokens"});
  std::vector<Request> out;
  double first = 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::vector<std::string> f = split_csv(lines[i]);
    if (f.size() <= std::max({c.time, c.input, c.output})) bad_row(pointer, name, i + 1, "expected 3 columns");
    double t = 0;
    if (!parse_datetime(f[c.time], t)) bad_row(pointer, name, i + 1, "expected TIMESTAMP as YYYY-MM-DD HH:MM:SS.fraction, got '" + f[c.time] + "'");
    if (out.empty()) first = t;
    if (t < first || t - first > kMaxSeconds) bad_row(pointer, name, i + 1, "expected timestamps in order, within 10^9 s of the first");
    if (!out.empty() && sim::from_seconds(t - first) < out.back().arrival) bad_row(pointer, name, i + 1, "expected timestamps in order");
    Request r;
    r.arrival = sim::from_seconds(t - first);
    r.input_len = token_count(f[c.input], pointer, name, i + 1, "ContextTokens", 1);
    r.output_len = token_count(f[c.output], pointer, name, i + 1, "GeneratedTokens", 1);
    r.blocks = unique_blocks(out.size(), r.input_len, block_tokens);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Request> read_burstgpt(const std::string& text, const std::string& name, const std::string& pointer,
                                   int block_tokens) {
  const std::vector<std::string> lines = lines_of(text);
  if (lines.empty()) bad_row(pointer, name, 1, "expected a header with Timestamp, Request tokens, Response tokens");
  const CsvColumns c = find_columns(lines[0], pointer, name, {"Timestamp", "Request tokens", "Response tokens"});
  std::vector<Request> out;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::vector<std::string> f = split_csv(lines[i]);
    if (f.size() <= std::max({c.time, c.input, c.output})) bad_row(pointer, name, i + 1, "expected the header's columns");
    char* end = nullptr;
    const double t = std::strtod(f[c.time].c_str(), &end);
    if (end == f[c.time].c_str() || *end != '\0' || !(t >= 0 && t <= kMaxSeconds))
      bad_row(pointer, name, i + 1, "expected Timestamp in seconds, >= 0 and under 10^9");
    if (!out.empty() && sim::from_seconds(t) < out.back().arrival) bad_row(pointer, name, i + 1, "expected timestamps in order");
    // A failed request (no response tokens) never reached the model: dropped.
    if (f[c.output] == "0") continue;
    Request r;
    r.arrival = sim::from_seconds(t);
    r.input_len = token_count(f[c.input], pointer, name, i + 1, "Request tokens", 1);
    r.output_len = token_count(f[c.output], pointer, name, i + 1, "Response tokens", 1);
    r.blocks = unique_blocks(out.size(), r.input_len, block_tokens);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Request> load_requests(const SourceSpec& spec, const std::string& pointer) {
  std::vector<Request> base;
  if (spec.synthetic) {
    base = synthesize(spec.gen, spec.block_tokens);
  } else if (spec.servegen) {
    base = servegen_requests(spec.clients, pointer + "/dir", spec.block_tokens);
  } else {
    std::ifstream f(spec.file, std::ios::binary);
    if (!f) throw sim::InputError(pointer + "/file", "cannot read trace '" + spec.file + "'");
    std::stringstream text;
    text << f.rdbuf();
    const std::string p = pointer + "/file";
    base = spec.format == TraceFormat::kMooncake ? read_mooncake(text.str(), spec.file, p, spec.block_tokens)
           : spec.format == TraceFormat::kAzure  ? read_azure(text.str(), spec.file, p, spec.block_tokens)
                                                 : read_burstgpt(text.str(), spec.file, p, spec.block_tokens);
  }
  std::stable_sort(base.begin(), base.end(), [](const Request& a, const Request& b) { return a.arrival < b.arrival; });
  if (spec.limit > 0 && static_cast<long long>(base.size()) > spec.limit) base.resize(static_cast<std::size_t>(spec.limit));
  if (base.empty()) throw sim::InputError(pointer, "the source holds no requests");
  // Copies: each shifted by an equal share of the source's span (circularly)
  // so that they are not in step, its blocks in a namespace of its own.
  const sim::Time span = base.back().arrival + 1;
  std::vector<Request> out;
  out.reserve(base.size() * static_cast<std::size_t>(spec.copies));
  for (int c = 0; c < spec.copies; ++c) {
    const sim::Time shift = span / spec.copies * c;
    for (const Request& r : base) {
      Request x = r;
      x.arrival = static_cast<sim::Time>(std::llround(static_cast<double>((r.arrival + shift) % span) / spec.time_scale));
      for (std::uint64_t& b : x.blocks) b = b ^ (static_cast<std::uint64_t>(c) << 52);
      out.push_back(std::move(x));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Request& a, const Request& b) { return a.arrival < b.arrival; });
  return out;
}

}  // namespace v3sim::models
