// End-to-end HuggingFace config import: config files written in the published
// shapes to a temporary folder, read beside the scenario, named in every
// output; a bad config is one exit-2 line naming the config file, its line and
// the JSON pointer inside it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/model_file.hpp"
#include "models/transformer/parameters.hpp"
#include "sim/json_reader.hpp"
#include "tests/cli/cli_helpers.hpp"
#include "tests/models/published_hf_configs.hpp"

namespace {

namespace published = v3sim::published;

// The shipped example's training setup (scenarios/models/), any model.
nlohmann::json training_scenario(const std::string& model) {
  return {{"name", "hf import"},
          {"cluster", {{"node", "h800"}, {"nodes", 2}, {"fabric", {{"kind", "multi_plane_fat_tree"}, {"planes", 8}}}}},
          {"model", model},
          {"parallelism", {{"pp", 2}, {"ep", 8}}},
          {"schedule", {{"kind", "1f1b"}}},
          {"training", {{"seq_len", 4096}, {"global_batch", 64}}}};
}

class HfImport : public Cli {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return (dir_ / name).string();
  }
  std::string write(const std::string& name, const nlohmann::json& doc) { return write(name, doc.dump(2)); }
  // Exit 2 with one line holding every needle.
  void expect_rejected(const std::string& args, std::initializer_list<std::string> needles) {
    const Result r = v3sim(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.output;
    for (const std::string& n : needles) EXPECT_NE(r.output.find(n), std::string::npos) << n << " in\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  }
};

TEST_F(HfImport, ReaderResolvesBesideTheScenarioAndNamesByStemOrFolder) {
  write("models/DeepSeek-V3/config.json", published::deepseek_v3_671b_config());
  write("models/Meta-Llama-3-8B.json", published::llama3_8b_config());
  write("models/mixtral-8x7b.config.json", published::mixtral_8x7b_config());
  write("Qwen3-30B-A3B.json", published::qwen3_30b_a3b_config());
  const v3sim::models::ModelFileReader read = v3sim::cli::model_file_reader((dir_ / "scenario.json").string());
  const v3sim::models::ModelConfig v3 = read("models/DeepSeek-V3", "/model");  // a folder: its config.json
  EXPECT_EQ(v3.name, "DeepSeek-V3");
  EXPECT_EQ(v3.routed_experts, 256);
  EXPECT_EQ(read("models/DeepSeek-V3/config.json", "/model").name, "DeepSeek-V3");
  const v3sim::models::ModelConfig llama = read("models/Meta-Llama-3-8B.json", "/model");
  EXPECT_EQ(llama.name, "Meta-Llama-3-8B");
  EXPECT_DOUBLE_EQ(v3sim::models::total_parameters(llama), 8'030'261'248.0);  // the Hub's count
  EXPECT_EQ(read("models/mixtral-8x7b.config.json", "/model").name, "mixtral-8x7b");
  // An absolute path is taken as it is.
  EXPECT_EQ(read((dir_ / "Qwen3-30B-A3B.json").string(), "/model").head_dim, 128);
  EXPECT_NE(read("models/DeepSeek-V3/config.json", "/m").source.find("HuggingFace config"), std::string::npos);
  try {
    read("missing.json", "/workload/model");
    FAIL();
  } catch (const v3sim::sim::InputError& e) {
    EXPECT_EQ(e.pointer(), "/workload/model");
  }
}

TEST_F(HfImport, RunNamesTheModelInEveryOutput) {
  write("Mixtral-8x7B.json", published::mixtral_8x7b_config());
  const std::string s = write("s.json", training_scenario("Mixtral-8x7B.json"));
  const Result r = v3sim("run " + s + " --out " + (dir_ / "out").string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("Mixtral-8x7B on 16 GPUs"), std::string::npos) << r.output;
  const nlohmann::json summary = nlohmann::json::parse(slurp(dir_ / "out" / "summary.json"));
  EXPECT_EQ(summary["model"], "Mixtral-8x7B");
  EXPECT_NE(slurp(dir_ / "out" / "report.html").find("<td>Mixtral-8x7B</td>"), std::string::npos);

  // _name_or_path wins over the file name; model_overrides apply on top.
  nlohmann::json named = published::qwen3_30b_a3b_config();
  named["_name_or_path"] = "Qwen/Qwen3-30B-A3B";
  write("sub/q.json", named);
  nlohmann::json doc = training_scenario("sub/q.json");
  doc["model_overrides"] = {{"layers", 8}};
  const Result q = v3sim("validate " + write("q_scenario.json", doc));
  EXPECT_EQ(q.code, 0) << q.output;
  EXPECT_NE(q.output.find("ok (Qwen/Qwen3-30B-A3B on 16"), std::string::npos) << q.output;
  // --set takes a path too, read from the scenario's folder.
  const Result set = v3sim("validate " + s + " --set /model=sub/q.json");
  EXPECT_NE(set.output.find("Qwen/Qwen3-30B-A3B"), std::string::npos) << set.output;
}

TEST_F(HfImport, BadConfigsAreOneLineNamingFileLineAndPointer) {
  nlohmann::json bad = published::mixtral_8x7b_config();
  bad["num_local_experts"] = 0;
  // dump(2) puts one key per line, sorted: the line is the key's.
  const std::string text = bad.dump(2);
  const int line = static_cast<int>(std::count(text.begin(), text.begin() + text.find("\"num_local_experts\""), '\n')) + 1;
  const std::string cfg = write("mixtral.json", text);
  expect_rejected("validate " + write("s.json", training_scenario("mixtral.json")),
                  {cfg + ":" + std::to_string(line) + ": /num_local_experts: expected an integer in [1,"});

  nlohmann::json gpt2 = published::llama3_8b_config();
  gpt2["model_type"] = "gpt2";
  write("gpt2.json", gpt2);
  expect_rejected("run " + write("g.json", training_scenario("gpt2.json")) + " --out " + (dir_ / "out").string(),
                  {"gpt2.json:", "/model_type: unsupported model_type \"gpt2\""});
  EXPECT_FALSE(fs::exists(dir_ / "out"));

  write("broken.json", std::string("{\"model_type\": \"llama\",\n \"hidden_size\": 4096,,\n}"));
  expect_rejected("validate " + write("b.json", training_scenario("broken.json")), {"broken.json:2:"});
  // A missing file is the scenario's error, at its /model line.
  expect_rejected("validate " + write("m.json", training_scenario("nothere.json")),
                  {"m.json:", ": /model: no model preset or HuggingFace config named \"nothere.json\""});
  expect_rejected("validate " + write("z.json", training_scenario("/dev/zero")), {"z.json:", "/model: /dev/zero is not a regular file"});
}

TEST_F(HfImport, InferenceTakesAnMlaMoeConfigAndRefusesLlama) {
  write("DeepSeek-V3.json", published::deepseek_v3_671b_config());
  write("llama.json", published::llama3_8b_config());
  nlohmann::json doc = nlohmann::json::parse(slurp(inference_scenario("v3_report_prefill_ep32.json")));
  doc["workload"]["model"] = "DeepSeek-V3.json";
  const Result ok = v3sim("run " + write("inf.json", doc) + " --out " + (dir_ / "inf_out").string() + " --no-timing");
  ASSERT_EQ(ok.code, 0) << ok.output;
  EXPECT_NE(ok.output.find("DeepSeek-V3 prefill step on 32 GPUs"), std::string::npos) << ok.output;
  EXPECT_EQ(nlohmann::json::parse(slurp(dir_ / "inf_out" / "summary.json"))["model"], "DeepSeek-V3");
  EXPECT_NE(slurp(dir_ / "inf_out" / "report.html").find("<td>DeepSeek-V3</td>"), std::string::npos);
  doc["workload"]["model"] = "llama.json";
  expect_rejected("validate " + write("inf_llama.json", doc), {"inf_llama.json:", "/workload/model", "MLA mixture-of-experts"});
}

// A study's base scenario names its config relative to its own folder; an
// axis may vary the model file.
TEST_F(HfImport, SweepReadsConfigsBesideTheBaseScenario) {
  write("base/Mixtral-8x7B.json", published::mixtral_8x7b_config());
  write("base/Qwen3-30B-A3B.json", published::qwen3_30b_a3b_config());
  write("base/s.json", training_scenario("Mixtral-8x7B.json"));
  const std::string study = write("study/models.json", nlohmann::json{
      {"base", "../base/s.json"},
      {"axes", {{{"pointer", "/model"}, {"values", {"Mixtral-8x7B.json", "Qwen3-30B-A3B.json"}}}}},
      {"fields", {"/model", "/step_time_s"}}});
  const Result v = v3sim("validate " + study);
  EXPECT_EQ(v.code, 0) << v.output;
  const Result r = v3sim("sweep " + study + " --out " + (dir_ / "out").string());
  ASSERT_EQ(r.code, 0) << r.output;
  const nlohmann::json results = nlohmann::json::parse(slurp(dir_ / "out" / "results.json"));
  ASSERT_EQ(results["points"].size(), 2u);
  EXPECT_EQ(results["points"][0]["status"], "ok") << results["points"][0]["error"];
  EXPECT_EQ(results["points"][0]["fields"][0], "Mixtral-8x7B");
  EXPECT_EQ(results["points"][1]["status"], "ok") << results["points"][1]["error"];
  EXPECT_EQ(results["points"][1]["fields"][0], "Qwen3-30B-A3B");
}

TEST_F(HfImport, ShippedMixtralExampleRuns) {
  const Result r = v3sim("run " + std::string(V3SIM_SOURCE_DIR) + "/scenarios/models/mixtral_8x7b_pretrain_16xh800.json --out " +
                         (dir_ / "out").string() + " --no-timing");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(nlohmann::json::parse(slurp(dir_ / "out" / "summary.json"))["model"], "Mixtral-8x7B-v0.1");
}

}  // namespace

namespace {

// `v3sim model` on Qwen2-57B-A14B's config in a folder, as HuggingFace lays a
// checkpoint out: the shared expert of its own width and the counts worked
// by hand in tests/models/hf_config_test.cpp; a preset by name; an unknown
// name is one exit-2 line.
TEST_F(HfImport, ModelCommandShowsWhatItReads) {
  write("qwen2/config.json", published::qwen2_57b_a14b_config());
  const Result r = v3sim("model " + (dir_ / "qwen2").string());
  ASSERT_EQ(r.code, 0) << r.output;
  for (const char* needle : {"64 routed experts of 2560, top-8, 1 shared of 20480", "28 heads, 4 kv heads, head dim 128",
                             "57.41B (57,408,429,568)", "14.25B (14,249,041,408)"})
    EXPECT_NE(r.output.find(needle), std::string::npos) << needle << "\n" << r.output;
  const Result preset = v3sim("model deepseek-v3");
  EXPECT_EQ(preset.code, 0);
  EXPECT_NE(preset.output.find("256 routed experts of 2048, top-8, 1 shared of 2048"), std::string::npos) << preset.output;
  const Result bad = v3sim("model deepseek-v9");
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(std::count(bad.output.begin(), bad.output.end(), '\n'), 1) << bad.output;
}

}  // namespace
