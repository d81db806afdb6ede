// Checks of the probes' host-side logic that need no GPU: the JSON writer,
// statistics, routing, overlap arithmetic, sweeps and the output layout.
// (The GPU paths can only be checked on a GPU: scripts/run-probes.sh.)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>

#include "ep_routing.hpp"
#include "overlap.hpp"
#include "report.hpp"
#include "sm_bound.hpp"
#include "stats.hpp"
#include "sweeps.hpp"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what.c_str());
    ++failures;
  }
}

bool near(double a, double b) { return std::fabs(a - b) <= 1e-12 * std::max(1.0, std::fabs(b)); }

}  // namespace

int main() {
  using namespace v3sim::probes;

  check(json_quote("a\"b\\c\nd\x01") == "\"a\\\"b\\\\c\\nd\\u0001\"", "json_quote escapes");
  check(json_number(1e-5) == "1e-05" && json_number(2.0) == "2" && json_number(0.1) == "0.1", "json_number");
  check(json_number(std::nan("")) == "null", "json_number(NaN) is null");
  JsonObject o;
  o.add("s", "x").add("i", std::int64_t{1} << 40).add("d", 0.5).add("b", true).add("o", JsonObject().add("k", 1));
  check(o.inline_text() == "{\"s\": \"x\", \"i\": 1099511627776, \"d\": 0.5, \"b\": true, \"o\": {\"k\": 1}}",
        "JsonObject::inline_text: " + o.inline_text());
  check(json_lines_array({"1", "2"}, 2) == "[\n    1,\n    2\n  ]", "json_lines_array");

  const Timing t = summarize({10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
  check(near(t.median_s, 5.5) && near(t.p10_s, 1.9) && near(t.p90_s, 9.1) && t.min_s == 1 && t.max_s == 10 &&
            t.runs == 10,
        "summarize: numpy-style percentiles");
  check(near(summarize({3}).median_s, 3) && near(summarize({3}).p90_s, 3), "summarize: one sample");

  const EpRouting r = make_routing(4096, 8, 256, 42);
  std::set<int> rows(r.row.begin(), r.row.end());
  check(rows.size() == r.row.size() && *rows.begin() == 0 && *rows.rbegin() == 4096 * 8 - 1,
        "routing: rows are a permutation of the receive buffer");
  std::vector<int> expert_of_row(r.row.size());
  std::vector<int> token_of_row(r.row.size());
  bool distinct = true;
  bool weights = true;
  std::vector<int> first_row(256, 0);
  for (int e = 1; e < 256; ++e) first_row[e] = first_row[e - 1] + r.rows_per_expert[e - 1];
  for (int tok = 0; tok < 4096; ++tok) {
    std::set<int> experts;
    double sum = 0;
    for (int k = 0; k < 8; ++k) {
      const int row = r.row[tok * 8 + k];
      const int e = static_cast<int>(std::upper_bound(first_row.begin(), first_row.end(), row) - first_row.begin()) - 1;
      experts.insert(e);
      token_of_row[row] = tok;
      sum += r.weight[tok * 8 + k];
    }
    distinct = distinct && experts.size() == 8;
    weights = weights && std::fabs(sum - 1) < 1e-5;
  }
  check(distinct, "routing: a token's top-k experts are distinct");
  check(weights, "routing: a token's gate weights sum to 1");
  bool ordered = true;
  for (int e = 0; e < 256; ++e)
    for (int row = first_row[e] + 1; row < first_row[e] + r.rows_per_expert[e]; ++row)
      ordered = ordered && token_of_row[row - 1] < token_of_row[row];
  check(ordered, "routing: an expert's rows are in token order");

  const std::vector<double> stamps = {0, 1, 2, 3, 4};
  check(durations(stamps).size() == 4, "durations");
  check(durations_inside(stamps, 0.96, 3.5, 0.95).size() == 2, "durations_inside: only executions 95% inside count");

  check(deepgemm_shapes().size() == 22, "22 DeepGEMM shapes");
  check(gemm_sm_targets(132) == std::vector<int>({132, 112, 96, 66, 33}), "SM targets on 132 SMs");
  check(gemm_sm_targets(100) == std::vector<int>({100, 96, 66, 33}), "SM targets on 100 SMs");
  check(block_counts(132) == std::vector<int>({4, 8, 12, 16, 20, 24, 32, 48, 64, 96, 132}), "block counts on 132");
  check(block_counts(114).back() == 114, "block counts end at the device's SMs");
  const std::size_t shared = one_block_per_sm_shared_bytes(233472, 232448);  // H100: 228 KiB per SM, 227 per block
  check(2 * (shared + 1024) > 233472 && shared <= 232448, "one block per SM by shared memory");

  DeviceInfo d;
  d.name = "Test \"GPU\"";
  d.sms = 132;
  ProbeArgs args;
  Report report("hbm", args, d);
  report.note("a note");
  report.add_case(JsonObject().add("kind", "hbm_copy").add("sms", 4).add("bytes", 64.0));
  const std::string text = report.text();
  for (const char* key :
       {"\"format\": \"v3sim-probes/1\"", "\"probe\": \"hbm\"", "\"date\": \"", "\"host\": \"",
        "\"device\": {\"name\": \"Test \\\"GPU\\\"\", \"sms\": 132, \"compute_capability\": \"0.0\"",
        "\"versions\": {\"driver\": 0", "\"repeats\": 20", "\"warmup\": 3", "\"notes\": [\n    \"a note\"\n  ]",
        "\"cases\": [\n    {\"kind\": \"hbm_copy\", \"sms\": 4, \"bytes\": 64}\n  ]\n}\n"})
    check(text.find(key) != std::string::npos, std::string("report has ") + key);

  if (failures == 0) std::printf("all host checks passed\n");
  return failures == 0 ? 0 : 1;
}
