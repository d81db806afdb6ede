// Reading PyTorch-profiler (Kineto) traces: a synthetic trace whose every
// number is counted by hand, the reader's errors, and DeepSeek's published
// EP64 chunk-pair trace against counts made outside v3sim. (The kernel
// taxonomy the reader classifies by: kernel_taxonomy_test.cpp.)
#include "calibration/profiler_trace.hpp"
#include "calibration/trace_text.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "calibration/trace_figures.hpp"
#include "sim/json_reader.hpp"
#include "tests/shared_data.hpp"

namespace v3sim::calibration {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ProfilerTraceFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("v3sim_trace_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::string write_gzip(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
    gzclose(f);
    return path;
  }
  fs::path dir_;
};

json kernel(const std::string& name, std::int64_t stream, double ts, double dur, std::int64_t corr, int device = 0,
            const std::string& cat = "kernel") {
  return {{"ph", "X"},
          {"cat", cat},
          {"name", name},
          {"pid", device},
          {"tid", stream},
          {"ts", ts},
          {"dur", dur},
          {"args", {{"correlation", corr}, {"stream", stream}, {"device", device}, {"grid", {132, 1, 1}}}}};
}
json launch(int tid, double ts, std::int64_t corr) {
  return {{"ph", "X"},
          {"cat", "cuda_runtime"},
          {"name", "cudaLaunchKernel"},
          {"pid", 100},
          {"tid", tid},
          {"ts", ts},
          {"dur", 3},
          {"args", {{"correlation", corr}}}};
}
json annotation(const std::string& name, int tid, double ts, double dur) {
  return {{"ph", "X"}, {"cat", "user_annotation"}, {"name", name}, {"pid", 100}, {"tid", tid}, {"ts", ts},
          {"dur", dur}};
}

// CPU threads 1 and 2 of pid 100. Thread 1: ProfilerStep#1 [0,1000] holding
// attn(F) [10,110], mlp(B) [200,500] with dispatch(F) [250,300] nested in it,
// and a second attn(F) [800,850]; thread 2: combine(B) [600,900].
// GPU kernels of device 0, listed out of time order:
//   corr  stream  [start, end]      launch (thread, ts)  class          attributed to
//   2     7       [1050, 1110]      1, 210               gemm_fp8       mlp(B)
//   1     7       [1000, 1040]      1, 20                attention_fwd  attn(F)
//   3     27      [1020, 1120]      1, 260               ep_dispatch    dispatch(F) (innermost; mlp(B) also holds it)
//   4     7       [1200, 1225]      1, 700               unclassified   ProfilerStep#1 (not thread 2's combine(B))
//   5     23      [1100, 1150]      2, 650               gemm_wgrad     combine(B)
//   6     7       [1130, 1140]      none                 copy           nothing (a memcpy without a launch event)
//   8     27      [1150.5, 1180]    1, 110 (attn's end)  ep_combine     attn(F) (the end is inside)
//   9     7       [1300, 1305]      1, 2000              elementwise    nothing (outside every annotation)
// and one kernel of device 1 over [0, 5000], which must not be read.
json synthetic_trace() {
  json events = json::array();
  events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", 100}, {"args", {{"name", "python"}}}});
  events.push_back(annotation("ProfilerStep#1", 1, 0, 1000));
  events.push_back(annotation("mlp(B)", 1, 200, 300));
  events.push_back(annotation("attn(F)", 1, 10, 100));
  events.push_back(annotation("dispatch(F)", 1, 250, 50));
  events.push_back(annotation("combine(B)", 2, 600, 300));
  events.push_back(annotation("attn(F)", 1, 800, 50));
  for (auto [tid, ts, corr] : {std::tuple{1, 210.0, 2},
                               {1, 20.0, 1},
                               {1, 260.0, 3},
                               {1, 700.0, 4},
                               {2, 650.0, 5},
                               {1, 110.0, 8},
                               {1, 2000.0, 9},
                               {1, 30.0, 7}})
    events.push_back(launch(tid, ts, corr));
  events.push_back(
      kernel("void cutlass::device_kernel<dpsk::grouped_gemm::cuda::fp8_ptp128c::GemmKernel>(Params)", 7, 1050, 60, 2));
  events.push_back(kernel("void flash::compute_attn_ws<Flash_fwd_kernel_traits<192, 128>>(Params)", 7, 1000, 40, 1));
  events.push_back(kernel("void dpsk::ep::internode::dispatch<false, 8, true, 8>(int4*)", 27, 1020, 100, 3));
  events.push_back(kernel("my_custom_kernel", 7, 1200, 25, 4));
  events.push_back(kernel("void cutlass::device_kernel<dpsk::grouped_gemm::cuda::fp8_dptp128c_acc::GemmKernel>(Params)",
                          23, 1100, 50, 5));
  events.push_back(kernel("Memcpy DtoD (Device -> Device)", 7, 1130, 10, 6, 0, "gpu_memcpy"));
  events.push_back(kernel("void dpsk::ep::internode::combine<false, 8>(int4*)", 27, 1150.5, 29.5, 8));
  events.push_back(kernel("void at::native::vectorized_elementwise_kernel<4, FillFunctor<float>>(int)", 7, 1300, 5, 9));
  events.push_back(kernel("void flash::compute_attn_ws<Other>(Params)", 7, 0, 5000, 7, 1));
  return {{"traceEvents", events}, {"distributedInfo", {{"rank", 0}}}};
}

void expect_synthetic(const ProfilerTrace& t) {
  EXPECT_EQ(t.device, 0);
  ASSERT_EQ(t.kernels.size(), 8u);
  const double starts[] = {1000, 1020, 1050, 1100, 1130, 1150.5, 1200, 1300};
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(t.kernels[i].start_us, starts[i]) << i;
  EXPECT_EQ(t.kernels[0].grid, (std::array<int, 3>{132, 1, 1}));
  EXPECT_EQ(t.kernels[6].name, "my_custom_kernel");
  EXPECT_EQ(t.kernels[6].kernel_class, "unclassified");
  // Annotations in start order: ProfilerStep#1, attn(F), mlp(B), dispatch(F), combine(B), attn(F).
  ASSERT_EQ(t.annotations.size(), 6u);
  EXPECT_EQ(t.annotations[3].name, "dispatch(F)");
  EXPECT_EQ(t.annotations[3].component, "dispatch");
  EXPECT_EQ(t.annotations[3].pass, "F");
  EXPECT_EQ(t.annotations[0].component, "");
  EXPECT_EQ(t.kernels[1].annotation, 3);  // the dispatch: innermost of mlp(B) and dispatch(F)
  EXPECT_EQ(t.kernels[6].annotation, 0);  // launched on thread 1 inside thread 2's combine(B): ProfilerStep#1
  EXPECT_EQ(t.kernels[4].annotation, -1);
  EXPECT_EQ(t.kernels[7].annotation, -1);
  EXPECT_EQ(t.kernels_without_launch, 1);
  EXPECT_EQ(t.kernels_without_annotation, 1);
  ASSERT_EQ(t.warnings.size(), 3u);  // two devices, one kernel without launch, one outside annotations
  EXPECT_NE(t.warnings[0].find("only device 0"), std::string::npos) << t.warnings[0];
  EXPECT_NE(t.warnings[1].find("1 kernels (0.010 ms) have no CPU launch"), std::string::npos) << t.warnings[1];
  EXPECT_NE(t.warnings[2].find("1 kernels (0.005 ms) were launched outside"), std::string::npos) << t.warnings[2];
  // Stream 27 runs the only communication kernels, 7 the most other time
  // (40+60+25+10+5 us against 23's 50), 23 a GEMM.
  const std::map<std::int64_t, StreamRole> roles{
      {7, StreamRole::kCompute}, {23, StreamRole::kSecondCompute}, {27, StreamRole::kComm}};
  EXPECT_EQ(t.streams, roles);

  const TraceSummary s = summarize(t);
  EXPECT_EQ(s.layer_pairs, 2);                 // attn(F) twice
  EXPECT_DOUBLE_EQ(s.span_ms, 0.305);          // 1000 to 1305
  EXPECT_DOUBLE_EQ(s.compute_busy_ms, 0.170);  // [1000,1040] + [1050,1150] + [1200,1225] + [1300,1305]
  EXPECT_DOUBLE_EQ(s.comm_busy_ms, 0.1295);    // [1020,1120] + [1150.5,1180]
  const std::map<std::string, double> components{
      {"attention(F)", 0.0695}, {"mlp(B)", 0.060}, {"dispatch(F)", 0.100}, {"combine(B)", 0.050}};
  ASSERT_EQ(s.components.size(), components.size());
  for (const auto& [k, v] : components) EXPECT_DOUBLE_EQ(s.components.at(k), v) << k;
  EXPECT_DOUBLE_EQ(s.unattributed_ms, 0.040);  // my_custom_kernel 25 + memcpy 10 + fill 5 us
  const std::map<std::string, double> classes{{"attention_fwd", 0.040}, {"gemm_fp8", 0.060},   {"ep_dispatch", 0.100},
                                              {"unclassified", 0.025},  {"gemm_wgrad", 0.050}, {"copy", 0.010},
                                              {"ep_combine", 0.0295},   {"elementwise", 0.005}};
  ASSERT_EQ(s.kernel_classes.size(), classes.size());
  for (const auto& [k, v] : classes) {
    EXPECT_DOUBLE_EQ(s.kernel_classes.at(k), v) << k;
    EXPECT_EQ(s.class_launches.at(k), 1) << k;
  }
}

TEST_F(ProfilerTraceFile, SyntheticPlainJson) {
  expect_synthetic(read_profiler_trace(write("t.json", synthetic_trace().dump())));
}

TEST_F(ProfilerTraceFile, SyntheticGzip) {
  expect_synthetic(read_profiler_trace(write_gzip("t.json.gz", synthetic_trace().dump())));
}

std::string error_of(const std::string& path, std::string* pointer = nullptr) {
  try {
    read_profiler_trace(path);
  } catch (const sim::InputError& e) {
    if (pointer) *pointer = e.pointer();
    return e.what();
  }
  return "no error";
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_F(ProfilerTraceFile, UnreadableOrMalformedFilesAreInputErrors) {
  std::string pointer = "unset";
  const std::string missing = (dir_ / "absent.json").string();
  std::string e = error_of(missing, &pointer);
  EXPECT_TRUE(has(e, "cannot open profiler trace " + missing + ": No such file or directory")) << e;
  EXPECT_EQ(pointer, "");

  const std::string full = write_gzip("full.gz", synthetic_trace().dump());
  std::ifstream in(full, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  e = error_of(write("cut.gz", bytes.substr(0, bytes.size() / 2)), &pointer);
  EXPECT_TRUE(has(e, "truncated gzip file")) << e;
  EXPECT_EQ(pointer, "");

  // {"traceEvents": x} fails on the x, the 17th byte.
  e = error_of(write("bad.json", R"({"traceEvents": x})"), &pointer);
  EXPECT_TRUE(has(e, "bad.json: invalid JSON at byte 17")) << e;
  EXPECT_EQ(pointer, "");

  e = error_of(write("other.json", R"({"events": []})"), &pointer);
  EXPECT_TRUE(has(e, "other.json: expected a Kineto Chrome trace, an object with a \"traceEvents\" array")) << e;
  EXPECT_EQ(pointer, "");
  error_of(write("notarray.json", R"({"traceEvents": {}})"), &pointer);
  EXPECT_EQ(pointer, "/traceEvents");

  e = error_of(write("empty.json", json{{"traceEvents", {annotation("attn(F)", 1, 0, 10)}}}.dump()), &pointer);
  EXPECT_TRUE(has(e, "empty.json: no GPU kernels")) << e;
}

// A gzip that expands without bound stops at the limit; a device is not a trace.
TEST_F(ProfilerTraceFile, GzipBombsAndDevicesAreRefused) {
  const std::size_t saved = trace_text_limit();
  trace_text_limit() = std::size_t{1} << 20;
  const std::string e = error_of(write_gzip("bomb.gz", std::string(4 << 20, ' ')));
  trace_text_limit() = saved;
  EXPECT_TRUE(has(e, "bomb.gz: gzip data expands past 1 MiB, the limit of a trace's text")) << e;
  EXPECT_TRUE(has(error_of("/dev/zero"), "/dev/zero: not a regular file")) << error_of("/dev/zero");
}

TEST_F(ProfilerTraceFile, KernelWithoutDurOrCorrelationNamesItsPointer) {
  json doc = synthetic_trace();
  doc["traceEvents"][15].erase("dur");  // the first kernel, the GEMM on stream 7
  std::string pointer;
  std::string e = error_of(write("nodur.json", doc.dump()), &pointer);
  EXPECT_EQ(pointer, "/traceEvents/15/dur");
  EXPECT_TRUE(has(e, "nodur.json: event 'void cutlass::device_kernel<dpsk::grouped_gemm")) << e;
  EXPECT_TRUE(has(e, "expected \"dur\", the kernel's duration in microseconds")) << e;

  doc = synthetic_trace();
  doc["traceEvents"][17]["args"].erase("correlation");
  error_of(write("nocorr.json", doc.dump()), &pointer);
  EXPECT_EQ(pointer, "/traceEvents/17/args/correlation");
  doc = synthetic_trace();
  doc["traceEvents"][17]["ts"] = "soon";
  error_of(write("badts.json", doc.dump()), &pointer);
  EXPECT_EQ(pointer, "/traceEvents/17/ts");
}

// Negative or absurd times never reach a profile: a negative duration, a
// duration past a day, a start more than 10^17 us from 0.
TEST_F(ProfilerTraceFile, NegativeOrAbsurdTimesAreRefused) {
  std::string pointer;
  const std::vector<std::pair<const char*, double>> bad{{"dur", -5}, {"dur", 1e11}, {"ts", -1e18}, {"ts", 1e18}};
  for (const auto& [key, value] : bad) {
    json doc = synthetic_trace();
    doc["traceEvents"][15][key] = value;
    const std::string e = error_of(write("absurd.json", doc.dump()), &pointer);
    EXPECT_EQ(pointer, std::string("/traceEvents/15/") + key) << e;
    EXPECT_TRUE(has(e, "absurd.json: event")) << e;
  }
}

// The host's cost per launched kernel, by hand: thread 1 launches two
// forward kernels and is busy in framework ops over [0, 30] (with [5, 10]
// nested in it) and [40, 50], 40 us: 20 us a launch; thread 2 launches one
// backward kernel and is busy over [100, 160]: 60 us.
TEST_F(ProfilerTraceFile, HostBusyPerLaunch) {
  json events = json::array();
  events.push_back(annotation("attn(F)", 1, 0, 60));
  events.push_back(annotation("mlp(B)", 2, 90, 100));
  auto op = [](int tid, double ts, double dur) {
    return json{{"ph", "X"}, {"cat", "cpu_op"}, {"name", "aten::mm"}, {"pid", 100}, {"tid", tid}, {"ts", ts}, {"dur", dur}};
  };
  events.push_back(op(1, 0, 30));
  events.push_back(op(1, 5, 5));
  events.push_back(op(1, 40, 10));
  events.push_back(op(2, 100, 60));
  events.push_back(launch(1, 20, 1));
  events.push_back(launch(1, 45, 2));
  events.push_back(launch(2, 150, 3));
  events.push_back(kernel("void flash::compute_attn_ws<Flash_fwd_kernel_traits<192, 128>>(Params)", 7, 1000, 40, 1));
  events.push_back(kernel("my_custom_kernel", 7, 1050, 10, 2));
  events.push_back(kernel("my_custom_kernel", 7, 1100, 10, 3));
  const ProfilerTrace t = read_profiler_trace(write("host.json", json{{"traceEvents", events}}.dump()));
  ASSERT_EQ(t.host_threads.size(), 2u);
  EXPECT_EQ(t.host_threads[0].launches, 2);
  EXPECT_DOUBLE_EQ(t.host_threads[0].busy_us, 40);
  EXPECT_EQ(t.host_threads[0].forward_launches, 2);
  const TraceSummary s = summarize(t);
  EXPECT_DOUBLE_EQ(s.host_forward_us_per_launch, 20);
  EXPECT_DOUBLE_EQ(s.host_backward_us_per_launch, 60);
}

// DeepSeek's published trace, read from ../shared (skipped where absent). Every expected
// number below was counted by a Python script written for this test, over the
// raw train.json and independent of this reader: json.load, the X events of
// cat kernel/gpu_memcpy/gpu_memset on device 0, their launches by
// args.correlation among cuda_runtime/cuda_driver events, the annotation by
// a linear scan for the shortest user_annotation on the launch's pid and tid (else on its pid)
// containing the launch ts, and unions of [ts, ts+dur] sorted and merged.
TEST(ProfilerTraceReal, DeepSeekEp64ChunkPair) {
  V3SIM_NEED_SHARED_FILE(path, ::v3sim::shared::kDeepSeekTrainTrace);
  const ProfilerTrace t = read_profiler_trace(path);
  EXPECT_EQ(t.device, 0);
  ASSERT_EQ(t.kernels.size(), 963u + 8u + 12u);  // kernel + gpu_memcpy + gpu_memset events
  int copies = 0, sets = 0;
  for (const TraceKernel& k : t.kernels) {
    copies += k.name.rfind("Memcpy", 0) == 0;
    sets += k.name.rfind("Memset", 0) == 0;
  }
  EXPECT_EQ(copies, 8);
  EXPECT_EQ(sets, 12);
  const std::map<std::int64_t, StreamRole> roles{
      {7, StreamRole::kCompute}, {23, StreamRole::kSecondCompute}, {27, StreamRole::kComm}};
  EXPECT_EQ(t.streams, roles);
  ASSERT_EQ(t.annotations.size(), 42u);  // 10 component names x 4, ProfilerStep#1, 1F1B
  std::set<std::string> component_names;
  for (const TraceAnnotation& a : t.annotations)
    if (!a.component.empty()) component_names.insert(a.name);
  EXPECT_EQ(component_names.size(), 10u);
  EXPECT_EQ(t.kernels_without_launch, 0);
  // The 404 kernels of the four attn(B) regions are launched by PyTorch's
  // autograd thread (tid 2571), which carries no annotation; the main
  // thread (tid 1166) holds attn(B) open while they launch, so they fall
  // back to the innermost annotation of their process: attn(B).
  EXPECT_EQ(t.kernels_without_annotation, 0);

  const TraceSummary s = summarize(t);
  EXPECT_EQ(s.layer_pairs, 4);
  EXPECT_NEAR(s.span_ms, 129.012, 0.01);
  EXPECT_NEAR(s.compute_busy_ms, 124.286, 0.01);  // union over streams 7 and 23
  EXPECT_NEAR(s.comm_busy_ms, 114.521, 0.01);     // union over stream 27
  // dispatch(B) is the backward of a dispatch, a combine: per layer
  // cached_notify + combine on stream 27, (753 + 6549) + (1366 + 6543) +
  // (1382 + 5889) + (973 + 6492) us.
  EXPECT_NEAR(s.components.at("dispatch(B)"), 29.947, 1e-9);
  // attn(W): five weight-gradient GEMMs per layer, 2375 + 2382 + 2392 + 2405 us.
  EXPECT_NEAR(s.components.at("attention(W)"), 9.554, 1e-9);
  // attn(B): the 404 autograd-thread kernels, 9340.75 us per layer on
  // average (the same script, attributing by process when the thread has
  // no annotation).
  EXPECT_NEAR(s.components.at("attention(B)"), 37.363, 1e-9);
  EXPECT_EQ(s.components.size(), 10u);
  EXPECT_NEAR(s.unattributed_ms, 0, 1e-9);
  double total = 0;
  for (const auto& [k, v] : s.kernel_classes) total += v;
  EXPECT_NEAR(total, 244.069, 1e-9);  // every kernel's dur summed
  // Every kernel has a class (the script's re.search over the same patterns).
  EXPECT_EQ(s.class_launches.count("unclassified"), 0u);
  EXPECT_EQ(s.class_launches.at("ep_combine"), 8);
  EXPECT_NEAR(s.kernel_classes.at("ep_combine"), 49.448, 1e-9);
  EXPECT_EQ(s.class_launches.at("gemm_wgrad"), 60);
  EXPECT_NEAR(s.kernel_classes.at("gemm_wgrad"), 32.756, 1e-9);
  EXPECT_EQ(s.class_launches.at("gemm_setup"), 67);  // 64 scale transposes + 3 tensormap fills
  EXPECT_EQ(s.class_launches.at("attention_bwd"), 4);
  EXPECT_NEAR(s.kernel_classes.at("attention_bwd"), 15.115, 1e-9);
}

// The figures the project keeps of that trace
// (calibration/reference/deepseek_v3_chunk_pair_trace.json) are what the
// reader makes of the trace itself, number for number.
TEST(ProfilerTraceReal, ProjectFiguresAreTheTraceSummary) {
  V3SIM_NEED_SHARED_FILE(path, ::v3sim::shared::kDeepSeekTrainTrace);
  const TraceSummary s = summarize(read_profiler_trace(path));
  const TraceSummary& f = deepseek_v3_chunk_pair_figures().summary;
  EXPECT_EQ(f.layer_pairs, s.layer_pairs);
  EXPECT_NEAR(f.span_ms, s.span_ms, 1e-9);
  EXPECT_NEAR(f.compute_busy_ms, s.compute_busy_ms, 1e-9);
  EXPECT_NEAR(f.comm_busy_ms, s.comm_busy_ms, 1e-9);
  EXPECT_NEAR(f.unattributed_ms, s.unattributed_ms, 1e-9);
  EXPECT_NEAR(f.tiny_kernel_us, s.tiny_kernel_us, 1e-9);
  EXPECT_EQ(f.class_launches, s.class_launches);
  EXPECT_EQ(f.class_examples, s.class_examples);
  EXPECT_EQ(f.elementwise_launches, s.elementwise_launches);
  ASSERT_EQ(f.components.size(), s.components.size());
  for (const auto& [k, v] : s.components) EXPECT_NEAR(f.components.at(k), v, 1e-9) << k;
  ASSERT_EQ(f.kernel_classes.size(), s.kernel_classes.size());
  for (const auto& [k, v] : s.kernel_classes) EXPECT_NEAR(f.kernel_classes.at(k), v, 1e-9) << k;
  EXPECT_NEAR(f.contention.beside_comm.ratio, s.contention.beside_comm.ratio, 1e-12);
  EXPECT_EQ(f.contention.beside_comm.instances, s.contention.beside_comm.instances);
  EXPECT_NEAR(f.contention.main_beside_second.ratio, s.contention.main_beside_second.ratio, 1e-12);
  EXPECT_NEAR(f.contention.second_beside_main.ratio, s.contention.second_beside_main.ratio, 1e-12);
  EXPECT_NEAR(f.host_forward_us_per_launch, s.host_forward_us_per_launch, 1e-9);
  EXPECT_NEAR(f.host_backward_us_per_launch, s.host_backward_us_per_launch, 1e-9);
}

// A figures file reads back what was written, and names a bad field.
TEST(TraceFigures, RoundTripAndErrors) {
  const TraceFigures& f = deepseek_v3_chunk_pair_figures();
  const TraceFigures back = trace_figures_from_json(trace_figures_to_json(f));
  EXPECT_EQ(trace_figures_to_json(back), trace_figures_to_json(f));
  EXPECT_EQ(f.summary.layer_pairs, 4);
  EXPECT_NEAR(f.summary.span_ms, 129.012, 1e-9);  // also counted by the Python script above
  auto pointer_of = [](const nlohmann::json& j) {
    try {
      trace_figures_from_json(j);
    } catch (const sim::InputError& e) {
      return e.pointer() + ": " + e.what();
    }
    return std::string("no error");
  };
  nlohmann::json bad = trace_figures_to_json(f);
  bad["kernel_classes_ms"]["gemm_fp8"] = -1;
  EXPECT_EQ(pointer_of(bad).rfind("/kernel_classes_ms/gemm_fp8: ", 0), 0u) << pointer_of(bad);
  bad = trace_figures_to_json(f);
  bad["kind"] = "kineto";
  EXPECT_EQ(pointer_of(bad).rfind("/kind: ", 0), 0u);
  bad = trace_figures_to_json(f);
  bad["span"] = 1;
  EXPECT_EQ(pointer_of(bad).rfind("/span", 0), 0u) << pointer_of(bad);
  bad = trace_figures_to_json(f);
  bad["class_launches"].erase("gemm_fp8");
  EXPECT_EQ(pointer_of(bad).rfind("/class_launches: ", 0), 0u) << pointer_of(bad);
}

}  // namespace
}  // namespace v3sim::calibration
