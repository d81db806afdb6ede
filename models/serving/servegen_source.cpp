#include "models/serving/servegen_source.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>

#include "sim/json_reader.hpp"

namespace v3sim::models {
namespace {

constexpr double kWindow = 600;  // seconds of one trace.csv row

std::string slurp(const std::string& path, const std::string& pointer) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw sim::InputError(pointer, "cannot read '" + path + "'");
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

struct Window {
  double start = 0, rate = 0, cv = 1;
  std::string family;
};

// A length distribution: values and their cumulative probabilities.
struct Pmf {
  std::vector<double> value, cumulative;
  int draw(std::mt19937_64& rng) const {
    const double u = std::uniform_real_distribution<double>(0, cumulative.back())(rng);
    const std::size_t i = static_cast<std::size_t>(std::lower_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
    return std::max(1, static_cast<int>(std::lround(value[std::min(i, value.size() - 1)])));
  }
};

// The Weibull shape whose gaps have this coefficient of variation (bisection:
// the CV falls as the shape grows).
double weibull_shape(double cv) {
  double lo = 0.05, hi = 50;
  for (int i = 0; i < 100; ++i) {
    const double k = (lo + hi) / 2;
    const double g1 = std::tgamma(1 + 1 / k), g2 = std::tgamma(1 + 2 / k);
    (std::sqrt(g2 / (g1 * g1) - 1) > cv ? lo : hi) = k;
  }
  return (lo + hi) / 2;
}

std::vector<Window> read_windows(const std::string& path, const std::string& pointer) {
  std::vector<Window> out;
  std::istringstream in(slurp(path, pointer));
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \r") == std::string::npos) continue;
    std::vector<std::string> f;
    std::string cell;
    std::istringstream row(line);
    while (std::getline(row, cell, ',')) f.push_back(cell);
    auto bad = [&](const std::string& what) {
      throw sim::InputError(pointer, "workload '" + path + "' line " + std::to_string(n) + ": " + what);
    };
    if (f.size() < 3) bad("expected window_start_s,rate,cv,family,param1,param2");
    Window w;
    try {
      w.start = std::stod(f[0]);
      w.rate = std::stod(f[1]);
      w.cv = std::stod(f[2]);
    } catch (const std::exception&) {
      bad("expected numbers for window_start_s, rate and cv");
    }
    w.family = f.size() > 3 ? f[3] : "";
    while (!w.family.empty() && (w.family.back() == '\r' || w.family.back() == ' ')) w.family.pop_back();
    if (!(w.start >= 0) || !(w.rate >= 0 && w.rate < 1e6) || (w.rate > 0 && !(w.cv > 0 && w.cv < 1e3)))
      bad("expected a window start >= 0, a rate in [0, 10^6) and a cv in (0, 1000)");
    if (w.rate > 0 && w.family != "Gamma" && w.family != "Weibull" && w.family != "Exponential")
      bad("expected the family Gamma, Weibull or Exponential, got '" + w.family + "'");
    out.push_back(w);
  }
  return out;
}

// The six-hour windows' input and output length distributions, by start.
std::map<double, std::pair<Pmf, Pmf>> read_lengths(const std::string& path, const std::string& pointer) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(slurp(path, pointer));
  } catch (const nlohmann::json::parse_error&) {
    throw sim::InputError(pointer, "workload '" + path + "': expected JSON");
  }
  std::map<double, std::pair<Pmf, Pmf>> out;
  if (!doc.is_object()) throw sim::InputError(pointer, "workload '" + path + "': expected an object of windows");
  for (auto item = doc.begin(); item != doc.end(); ++item) {
    // (Named copies, not structured bindings: lambdas may not capture those in C++20.)
    const std::string start = item.key();
    const nlohmann::json& w = item.value();
    auto pmf = [&](const char* key) {
      if (!w.is_object() || !w.contains(key) || !w[key].is_string())
        throw sim::InputError(pointer, "workload '" + path + "' /" + start + "/" + key + ": expected a dict literal string");
      Pmf p;
      double sum = 0;
      try {
        for (const auto& [v, q] : parse_pmf(w[key].get<std::string>())) {
          if (q <= 0) continue;
          sum += q;
          p.value.push_back(v);
          p.cumulative.push_back(sum);
        }
      } catch (const std::invalid_argument& e) {
        throw sim::InputError(pointer, "workload '" + path + "' /" + start + "/" + key + ": " + e.what());
      }
      return p;
    };
    double s = 0;
    try {
      s = std::stod(start);
    } catch (const std::exception&) {
      throw sim::InputError(pointer, "workload '" + path + "': expected window starts in seconds, got '" + start + "'");
    }
    // A window without mass (the client idle those hours) lends none.
    std::pair<Pmf, Pmf> w2{pmf("input_tokens"), pmf("output_tokens")};
    if (!w2.first.value.empty() && !w2.second.value.empty()) out[s] = std::move(w2);
  }
  return out;
}

}  // namespace

std::vector<std::pair<double, double>> parse_pmf(const std::string& text) {
  std::vector<std::pair<double, double>> out;
  std::string t = text;
  const std::size_t open = t.find('{'), close = t.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open)
    throw std::invalid_argument("expected {value: probability, ...}");
  std::istringstream in(t.substr(open + 1, close - open - 1));
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.find_first_not_of(" \n") == std::string::npos) continue;
    const std::size_t colon = item.find(':');
    if (colon == std::string::npos) throw std::invalid_argument("expected value: probability, got '" + item + "'");
    std::size_t a = 0, b = 0;
    const std::string k = item.substr(0, colon), v = item.substr(colon + 1);
    const double key = std::stod(k, &a), p = std::stod(v, &b);
    if (!(p >= 0) || !std::isfinite(key)) throw std::invalid_argument("expected finite values and probabilities >= 0");
    out.emplace_back(key, p);
  }
  return out;
}

std::vector<Request> servegen_requests(const ServeGenSource& spec, const std::string& pointer, int block_tokens) {
  std::vector<int> clients = spec.clients;
  if (clients.empty()) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(spec.dir, ec)) {
      const std::string n = e.path().filename().string();
      if (n.rfind("chunk-", 0) == 0 && n.size() > 10 && n.substr(n.size() - 10) == "-trace.csv")
        clients.push_back(std::stoi(n.substr(6, n.size() - 16)));
    }
    if (ec) throw sim::InputError(pointer, "cannot read the directory '" + spec.dir + "'");
    std::sort(clients.begin(), clients.end());
  }
  if (clients.empty()) throw sim::InputError(pointer, "no chunk-<i>-trace.csv in '" + spec.dir + "'");
  std::vector<Request> out;
  std::uint64_t id = 0;
  for (int c : clients) {
    const std::string base = spec.dir + "/chunk-" + std::to_string(c);
    const std::vector<Window> windows = read_windows(base + "-trace.csv", pointer);
    const auto lengths = read_lengths(base + "-dataset.json", pointer);
    // Each arrival's lengths from the latest window with mass at or before it (or the first).
    auto window_lengths = [&](double t) -> const std::pair<Pmf, Pmf>& {
      auto it = lengths.upper_bound(t);
      return (it == lengths.begin() ? it : std::prev(it))->second;
    };
    std::mt19937_64 rng(spec.seed * 1000003ULL + static_cast<std::uint64_t>(c));
    for (const Window& w : windows) {
      if (w.rate <= 0 || w.start + kWindow <= spec.from_s || w.start >= spec.to_s) continue;
      // A renewal process over the window: gaps of mean 1 / rate and the window's CV.
      const double shape = w.family == "Gamma" ? 1 / (w.cv * w.cv) : w.family == "Weibull" ? weibull_shape(w.cv) : 1;
      auto gap = [&]() {
        if (w.family == "Gamma") return std::gamma_distribution<double>(shape, 1 / (w.rate * shape))(rng);
        if (w.family == "Weibull") return std::weibull_distribution<double>(shape, 1 / (w.rate * std::tgamma(1 + 1 / shape)))(rng);
        return std::exponential_distribution<double>(w.rate)(rng);
      };
      if (lengths.empty())
        throw sim::InputError(pointer, "workload '" + base + "-dataset.json': requests but no window of lengths");
      const auto& [in_len, out_len] = window_lengths(w.start);
      for (double t = w.start + gap(); t < w.start + kWindow; t += gap()) {
        if (t < spec.from_s || t >= spec.to_s) continue;
        Request r;
        r.arrival = sim::from_seconds(t - spec.from_s);
        r.input_len = std::min(in_len.draw(rng), 1 << 22);
        r.output_len = std::min(out_len.draw(rng), 1 << 22);
        const int n = (r.input_len + block_tokens - 1) / block_tokens;
        for (int b = 0; b < n; ++b) r.blocks.push_back((1ULL << 62) | (id << 22) | static_cast<std::uint64_t>(b));
        ++id;
        out.push_back(std::move(r));
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Request& a, const Request& b) { return a.arrival < b.arrival; });
  return out;
}

}  // namespace v3sim::models
