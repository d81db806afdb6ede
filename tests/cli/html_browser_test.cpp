// The HTML pages rendered by headless Chromium (Debian package `chromium`):
// the page script runs without errors (it sets body data-ok="1" at its end
// and writes any error into #errors; the console log has no "Uncaught"), the
// timelines hold as many op rects as the run has ops (counted from the
// schedule's closed form or from trace.json, not from the HTML code), and a
// screenshot is written. Skipped only when chromium is not installed.
#include <gtest/gtest.h>

#include "tests/shared_data.hpp"

#include <nlohmann/json.hpp>
#include <regex>

#include "report/time_axis.hpp"
#include "tests/cli/cli_helpers.hpp"

namespace {

bool have_chromium() { return std::system("command -v chromium >/dev/null 2>&1") == 0; }

struct Rendered {
  std::string dom;
  std::string log;
};

// One chromium call, under 30 s even on a loaded 2-core machine.
Rendered render(const fs::path& page, const fs::path& dir, const std::string& mode, const std::string& hash = "") {
  const fs::path log = dir / "chromium.log", profile = dir / "chromium-profile";
  const std::string cmd = "timeout 60 chromium --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 "
                          "--no-first-run --user-data-dir=" + profile.string() + " " + mode + " file://" +
                          page.string() + hash + " 2>" + log.string();
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  while (std::size_t n = fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  pclose(pipe);
  return {out, slurp(log)};
}

Rendered render_checked(const fs::path& page, const fs::path& dir) {
  Rendered r = render(page, dir, "--dump-dom");
  EXPECT_NE(r.dom.find("data-ok=\"1\""), std::string::npos) << page << ": the page script did not finish";
  EXPECT_NE(r.dom.find("<pre id=\"errors\"></pre>"), std::string::npos) << page << ": script errors";
  EXPECT_EQ(r.log.find("Uncaught"), std::string::npos) << r.log;
  const fs::path png = dir / (page.stem().string() + ".png");
  render(page, dir, "--screenshot=" + png.string() + " --window-size=1300,1000 --hide-scrollbars");
  EXPECT_TRUE(fs::exists(png)) << png;
  if (fs::exists(png)) {
    EXPECT_GT(fs::file_size(png), 1000u);
  }
  return r;
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

// The timeline SVGs of a zoom group, as the browser holds them.
std::vector<std::string> timelines(const std::string& dom, const std::string& group) {
  std::vector<std::string> out;
  for (std::size_t at = dom.find("<svg class=\"tl\""); at != std::string::npos; at = dom.find("<svg class=\"tl\"", at + 1)) {
    const std::size_t end = dom.find("</svg></svg>", at);
    const std::string svg = dom.substr(at, end - at);
    if (svg.find("data-group=\"" + group + "\"") != std::string::npos) out.push_back(svg);
  }
  return out;
}

// Ops drawn in lanes of one role ("c" compute, "m" comm): single rects plus
// the ops inside aggregates.
std::size_t ops_drawn(const std::string& svg, const char* role) {
  std::size_t n = count(svg, std::string("class=\"op ") + role + "\"");
  const std::regex agg(std::string(R"(class="agg )") + role + R"X("[^>]*data-n="([0-9]+)")X");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), agg); it != std::sregex_iterator(); ++it)
    n += std::stoul((*it)[1]);
  return n;
}

// The drawn width of a timeline's run (its first lane's background), px.
double run_width(const std::string& svg) {
  std::smatch m;
  if (!std::regex_search(svg, m, std::regex(R"X(class="bg" x="0" y="[0-9.]+" width="([0-9.]+)")X"))) return -1;
  return std::stod(m[1]);
}

// Two runs of a comparison drawn on one scale: widths in proportion to
// their step times (read from compare.json's `rows`).
void expect_one_scale(const std::vector<std::string>& tl, const nlohmann::json& rows) {
  ASSERT_EQ(tl.size(), 2u);
  const double w0 = run_width(tl[0]), w1 = run_width(tl[1]);
  const double s0 = rows[0]["step_time_s"].get<double>(), s1 = rows[1]["step_time_s"].get<double>();
  EXPECT_NE(s0, s1);
  EXPECT_NEAR(w0 / w1, s0 / s1, 1e-3);
  EXPECT_NEAR(std::max(w0, w1), 1100, 0.01);  // the longest fills the width
}

class HtmlBrowser : public Cli {
 protected:
  void SetUp() override {
    Cli::SetUp();
    if (!have_chromium()) GTEST_SKIP() << "chromium is not installed";
    fs::create_directories(dir_);
  }
  // Runs a scenario of the source tree into dir_/run and renders its report.html.
  Rendered run_and_render(const std::string& relative) {
    const std::string sc = std::string(V3SIM_SOURCE_DIR) + "/" + relative;
    EXPECT_EQ(v3sim("run " + sc + " --no-timing --out " + (dir_ / "run").string()).code, 0);
    return render_checked(dir_ / "run" / "report.html", dir_);
  }
};

TEST_F(HtmlBrowser, AbstractOneFOneBReport) {
  ASSERT_EQ(v3sim("run " + scenario("1f1b_4x10.json") + " --no-timing --out " + (dir_ / "run").string()).code, 0);
  const Rendered r = render_checked(dir_ / "run" / "report.html", dir_);
  const auto tl = timelines(r.dom, "pipeline");
  ASSERT_EQ(tl.size(), 1u);
  EXPECT_EQ(ops_drawn(tl[0], "c"), 4u * 2 * 10);  // p ranks x 2m ops (F and B of each micro-batch)
}

// Zoomed by the page script to [25%, 35%] of the step: the ticks it draws
// are those the C++ rule gives for that window (two implementations agree).
TEST_F(HtmlBrowser, ZoomRedrawsTheAxis) {
  ASSERT_EQ(v3sim("run " + scenario("1f1b_4x10.json") + " --no-timing --out " + (dir_ / "run").string()).code, 0);
  const Rendered r = render(dir_ / "run" / "report.html", dir_, "--dump-dom", "#zoom-selftest");
  EXPECT_NE(r.dom.find("data-zoomed=\"1\""), std::string::npos);
  EXPECT_NE(r.dom.find("<pre id=\"errors\"></pre>"), std::string::npos);
  const auto summary = nlohmann::json::parse(slurp(dir_ / "run" / "summary.json"));
  const double step = summary["step_time_ms"].get<double>();
  const v3sim::report::TimeAxis want = v3sim::report::time_axis(0.25 * step, 0.35 * step);
  const auto tl = timelines(r.dom, "pipeline");
  ASSERT_EQ(tl.size(), 1u);
  const std::string axis = tl[0].substr(tl[0].find("class=\"axis\""));
  std::size_t labels = 0;
  for (const double t : want.ticks_ms) labels += axis.find(">" + want.label(t) + "</text>") != std::string::npos;
  EXPECT_EQ(labels, want.ticks_ms.size()) << axis.substr(0, 2000);
  EXPECT_GE(want.ticks_ms.size(), 3u);
}

// Zoomed to a tenth of the main scenario's step, merged runs of the comm
// lanes whose ops have room (about 2 px each) split back into their ops:
// every split run (hidden) gives way to as many op rects as it merged.
TEST_F(HtmlBrowser, ZoomSplitsMergedRunsIntoOps) {
  ASSERT_EQ(v3sim("run " + std::string(V3SIM_SOURCE_DIR) + "/scenarios/deepseek_v3_pretrain_2048xh800.json --no-timing --out " +
                  (dir_ / "run").string())
                .code,
            0);
  const Rendered r = render(dir_ / "run" / "report.html", dir_, "--dump-dom", "#zoom-selftest");
  EXPECT_NE(r.dom.find("data-zoomed=\"1\""), std::string::npos);
  EXPECT_NE(r.dom.find("<pre id=\"errors\"></pre>"), std::string::npos);
  const auto tl = timelines(r.dom, "pipeline");
  ASSERT_EQ(tl.size(), 1u);
  const std::regex agg(R"X(<rect class="agg m"[^>]*data-n="([0-9]+)"[^>]*?( style="display: none;")?/?>)X");
  std::size_t split_ops = 0, split_runs = 0;
  for (auto it = std::sregex_iterator(tl[0].begin(), tl[0].end(), agg); it != std::sregex_iterator(); ++it)
    if ((*it)[2].matched) split_ops += std::stoul((*it)[1]), ++split_runs;
  EXPECT_GT(split_runs, 0u);
  EXPECT_EQ(count(tl[0], "class=\"sub m\""), split_ops);
}

TEST_F(HtmlBrowser, TrainingChunkPairReport) {
  const Rendered r = run_and_render("scenarios/bench/chunk_pair_ep64.json");
  // The chunk_pair program: F0, [F1&B0], B1 on one rank.
  const auto tl = timelines(r.dom, "pipeline");
  ASSERT_EQ(tl.size(), 1u);
  EXPECT_EQ(ops_drawn(tl[0], "c"), 3u);
  // The comm lane holds rank 0's comm kernels, the figure the pair's
  // kernels: both counted from trace.json by thread name.
  const auto trace = nlohmann::json::parse(slurp(dir_ / "run" / "trace.json"));
  std::map<int, std::string> thread;
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["pid"] == 0) thread[e["tid"].get<int>()] = e["args"]["name"];
  std::size_t comm = 0, pair = 0;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] != "X" || e["pid"] != 0 || !e.contains("tid")) continue;
    const std::string name = thread[e["tid"].get<int>()];
    const bool kernel = name == "comm SMs" || name.starts_with("compute SMs");
    comm += name == "comm SMs";
    pair += kernel && e.contains("args") && e["args"].value("op", "") == "[F1&B0]";
  }
  EXPECT_GT(comm, 0u);
  EXPECT_EQ(ops_drawn(tl[0], "m"), comm);
  const auto fig = timelines(r.dom, "pair");
  ASSERT_EQ(fig.size(), 1u);
  EXPECT_GT(pair, 0u);
  EXPECT_EQ(ops_drawn(fig[0], "c") + ops_drawn(fig[0], "m"), pair);
}

// A training step's comm lanes end with the data-parallel tail: one rect
// per tail phase of trace.json (category "data parallel").
TEST_F(HtmlBrowser, TrainingStepEndsWithTheTail) {
  const std::string sc = std::string(V3SIM_SOURCE_DIR) +
                         "/scenarios/deepseek_v3_pretrain_2048xh800.json --set /cluster/nodes=4 --set /parallelism/pp=4 "
                         "--set /parallelism/ep=8 --set /schedule/kind=\\\"1f1b\\\" --set /training/global_batch=64";
  ASSERT_EQ(v3sim("run " + sc + " --no-timing --out " + (dir_ / "run").string()).code, 0);
  const Rendered r = render_checked(dir_ / "run" / "report.html", dir_);
  const auto tl = timelines(r.dom, "pipeline");
  ASSERT_EQ(tl.size(), 1u);
  const auto trace = nlohmann::json::parse(slurp(dir_ / "run" / "trace.json"));
  std::size_t phases = 0;
  for (const auto& e : trace["traceEvents"]) phases += e["ph"] == "X" && e.value("cat", "") == "data parallel";
  EXPECT_GE(phases, 4u * 3);  // reduce-scatter, optimizer step, all-gather on each of 4 ranks
  EXPECT_EQ(count(tl[0], "(data-parallel tail)"), phases);
}

TEST_F(HtmlBrowser, CompareOnOneScale) {
  ASSERT_EQ(v3sim("compare " + scenario("dualpipe_8x20.json") + " --schedules 1f1b,zb1p --out " + (dir_ / "cmp").string()).code, 0);
  const Rendered r = render_checked(dir_ / "cmp" / "compare.html", dir_);
  const auto tl = timelines(r.dom, "compare");
  ASSERT_EQ(tl.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i)  // 8 ranks x 20 micro-batches x 2 ops (1F1B: F, B) or 3 (ZB1P: F, I, W)
    EXPECT_EQ(ops_drawn(tl[i], "c"), 8u * 20 * (i == 0 ? 2 : 3));
  expect_one_scale(tl, nlohmann::json::parse(slurp(dir_ / "cmp" / "compare.json"))["schedules"]);
}

TEST_F(HtmlBrowser, SweepReport) {
  const std::string study = std::string(V3SIM_SOURCE_DIR) + "/scenarios/studies/schedules.json";
  ASSERT_EQ(v3sim("sweep " + study + " --out " + (dir_ / "sw").string()).code, 0);
  const Rendered r = render_checked(dir_ / "sw" / "report.html", dir_);
  EXPECT_EQ(count(r.dom, "<svg class=\"chart\""), 9u);  // 3 fields x 3 axes
  EXPECT_EQ(count(r.dom, "<title>best point</title>"), 3u);  // only on the objective's 3 charts
}

// The step's tasks (compute lane, exchange lane) per GPU of the trace,
// counted from trace.json: complete events of positive duration.
std::pair<std::size_t, std::size_t> trace_tasks(const fs::path& trace_path) {
  const auto trace = nlohmann::json::parse(slurp(trace_path));
  std::size_t compute = 0, exchange = 0;
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == "X" && e["dur"].get<double>() > 0) (e["tid"] == 0 ? compute : exchange) += 1;
  return {compute, exchange};
}

TEST_F(HtmlBrowser, InferenceDecodeReport) {
  const Rendered r = run_and_render("scenarios/inference/profile_decode_ep128.json");
  const auto step = timelines(r.dom, "step");
  ASSERT_EQ(step.size(), 1u);
  const auto [compute, exchange] = trace_tasks(dir_ / "run" / "trace.json");
  EXPECT_GT(exchange, 0u);
  EXPECT_EQ(ops_drawn(step[0], "c"), compute);
  EXPECT_EQ(ops_drawn(step[0], "m"), exchange);
  EXPECT_EQ(timelines(r.dom, "layer").size(), 1u);
}

TEST_F(HtmlBrowser, InferenceCompareOnOneScale) {
  const std::string sc = std::string(V3SIM_SOURCE_DIR) + "/scenarios/inference/profile_prefill_ep32.json";
  ASSERT_EQ(v3sim("compare " + sc + " --vary overlap --out " + (dir_ / "cmp").string()).code, 0);
  const Rendered r = render_checked(dir_ / "cmp" / "compare.html", dir_);
  const auto tl = timelines(r.dom, "compare");
  expect_one_scale(tl, nlohmann::json::parse(slurp(dir_ / "cmp" / "compare.json"))["variants"]);
}

TEST_F(HtmlBrowser, CompareTraceReport) {
  const std::string root = V3SIM_SOURCE_DIR;
  V3SIM_NEED_SHARED_FILE(trace, ::v3sim::shared::kDeepSeekTrainTrace);
  ASSERT_EQ(v3sim("compare-trace " + root + "/scenarios/bench/chunk_pair_ep64.json " + trace + " --out " +
                  (dir_ / "ct").string())
                .code,
            0);
  const Rendered r = render_checked(dir_ / "ct" / "compare.html", dir_);
  const auto tl = timelines(r.dom, "trace");
  ASSERT_EQ(tl.size(), 2u);  // measured above simulated, one scale
  for (const std::string& t : tl) EXPECT_GT(ops_drawn(t, "c") + ops_drawn(t, "m"), 0u);
}

}  // namespace
