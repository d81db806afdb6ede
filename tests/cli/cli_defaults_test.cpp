// Defaults for users who are not DeepSeek, and --set creating the objects
// on the way to a field the file leaves to its defaults.
#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"

namespace {

using nlohmann::json;

const std::string kMain = std::string(V3SIM_SOURCE_DIR) + "/scenarios/deepseek_v3_pretrain_2048xh800.json";
const std::string kSmall = " --set /cluster/nodes=4 --set /parallelism/pp=4 --set /training/global_batch=64 --no-timing";

class CliDefaults : public Cli {
 protected:
  // The main scenario as a file without its "overlap" block, running
  // Llama 3 70B (dense) with no expert parallelism.
  std::string dense_scenario() {
    json doc = json::parse(slurp(kMain));
    doc.erase("overlap");
    doc["model"] = "llama3-70b";
    doc["parallelism"]["ep"] = 1;
    fs::create_directories(dir_);
    const fs::path p = dir_ / "dense.json";
    std::ofstream(p) << doc.dump(2);
    return p.string();
  }
  json run_summary(const std::string& args) {
    const Result r = v3sim("run " + args + " --out " + (dir_ / "out").string());
    EXPECT_EQ(r.code, 0) << r.output;
    output_ = r.output;
    return json::parse(slurp(dir_ / "out" / "summary.json"));
  }
  std::string output_;
};

TEST_F(CliDefaults, NoExpertParallelismHoldsNoCommunicationSms) {
  // H800: 132 SMs, all of them computing.
  EXPECT_EQ(run_summary(dense_scenario() + kSmall)["compute_sms"], 132);
}

TEST_F(CliDefaults, SetCreatesTheObjectsOnTheWay) {
  // "overlap" is absent from the file: --set makes it, and asking for SMs
  // sets them aside even without expert parallelism.
  EXPECT_EQ(run_summary(dense_scenario() + kSmall + " --set /overlap/comm_sms=24")["compute_sms"], 132 - 24);
}

TEST_F(CliDefaults, SetThroughAValueThatIsNoObjectFails) {
  const Result r = v3sim("validate " + kMain + " --set /name/first=1");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("/name is not an object"), std::string::npos) << r.output;
  // A misspelt object is created, then refused as an unknown key.
  const Result typo = v3sim("validate " + kMain + " --set /overlapp/comm_sms=24");
  EXPECT_EQ(typo.code, 2) << typo.output;
  EXPECT_NE(typo.output.find("overlapp"), std::string::npos) << typo.output;
}

// A profile measured on another GPU is never carried silently: it is scaled
// by the stated rule, and the run says so on the terminal and in the summary.
TEST_F(CliDefaults, ScalesAndSaysSoWhenTheProfileWasMeasuredOnAnotherGpu) {
  const std::string args = kMain + kSmall + " --set /parallelism/ep=8";
  const json same = run_summary(args);
  EXPECT_EQ(output_.find("was measured on"), std::string::npos) << output_;
  const json other = run_summary(args + " --set /cluster/node=h100");
  EXPECT_NE(output_.find("Calibration profile 'h800-published' was measured on h800 and is scaled to h100"),
            std::string::npos)
      << output_;
  bool in_summary = false;
  for (const json& w : other["warnings"]) in_summary |= w.get<std::string>().find("measured on h800") != std::string::npos;
  EXPECT_TRUE(in_summary);
  EXPECT_TRUE(same.contains("warnings"));
  // A what-if on the H800 itself (twice the HBM bandwidth) scales the measured rates too.
  run_summary(args + " --set /cluster/overrides/hbm_tb_per_s=6.7");
  EXPECT_NE(output_.find("scaled to h800 as the scenario overrides it"), std::string::npos) << output_;
  EXPECT_NE(output_.find("bandwidths x2.000 (HBM)"), std::string::npos) << output_;
}

}  // namespace
