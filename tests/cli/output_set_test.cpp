// End-to-end: a run's outputs are published all or nothing. The process is
// killed (SIGKILL) at every step of the publish; after each kill the output
// directory holds either the old complete set or the new one, as its manifest
// says, and the next run clears what the killed one left.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_helpers.hpp"

namespace {

class OutputSet : public Cli {};


const char* kFiles[] = {"summary.json", "trace.json", "report.html"};

std::string fnv1a64(const std::string& s) {  // the hash the manifest names, by its definition
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::map<std::string, std::string> read_set(const fs::path& dir) {
  std::map<std::string, std::string> set;
  for (const char* f : kFiles) set[f] = slurp(dir / f);
  return set;
}

// The directory holds exactly its manifest's files, each matching its hash.
void expect_complete(const fs::path& dir) {
  const auto manifest = nlohmann::json::parse(slurp(dir / ".v3sim-set.json"));
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir)) entries += e.path().filename() != ".v3sim-set.json";
  EXPECT_EQ(entries, manifest["files"].size());
  for (const auto& f : manifest["files"]) {
    const std::string contents = slurp(dir / f["name"].get<std::string>());
    EXPECT_EQ(contents.size(), f["bytes"].get<std::size_t>()) << f;
    EXPECT_EQ(fnv1a64(contents), f["fnv1a64"]) << f;
  }
}

TEST_F(OutputSet, KilledAtEveryWriteStepLeavesTheOldOrTheNewSet) {
  const std::string s = scenario("1f1b_4x10.json");
  const fs::path out = dir_ / "out", a = dir_ / "a", b = dir_ / "b";
  ASSERT_EQ(v3sim("run " + s + " --no-timing --out " + a.string()).code, 0);
  ASSERT_EQ(v3sim("run " + s + " --no-timing --set /op_costs_ms/F=2 --out " + b.string()).code, 0);
  const auto old_set = read_set(a), new_set = read_set(b);
  ASSERT_NE(old_set, new_set);
  bool saw_old = false, saw_new = false;
  for (int step = 1; step <= 6; ++step) {
    ASSERT_EQ(v3sim("run " + s + " --no-timing --out " + out.string()).code, 0);
    ::setenv("V3SIM_KILL_AT_WRITE_STEP", std::to_string(step).c_str(), 1);
    const Result killed = v3sim("run " + s + " --no-timing --set /op_costs_ms/F=2 --out " + out.string());
    ::unsetenv("V3SIM_KILL_AT_WRITE_STEP");
    EXPECT_NE(killed.code, 0) << "step " << step;
    expect_complete(out);
    const auto now = read_set(out);
    EXPECT_TRUE(now == old_set || now == new_set) << "step " << step;
    saw_old |= now == old_set;
    saw_new |= now == new_set;
  }
  EXPECT_TRUE(saw_old && saw_new);
  // The next run removes the staging directories the killed ones left.
  ASSERT_EQ(v3sim("run " + s + " --no-timing --out " + out.string()).code, 0);
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find("v3sim-staging"), std::string::npos) << e.path();
  EXPECT_EQ(read_set(out), old_set);
}

TEST_F(OutputSet, AFailedRunLeavesThePreviousSetWhole) {
  const fs::path out = dir_ / "out";
  ASSERT_EQ(v3sim("run " + scenario("1f1b_4x10.json") + " --no-timing --out " + out.string()).code, 0);
  const auto before = read_set(out);
  EXPECT_EQ(v3sim("run " + scenario("1f1b_4x10.json") + " --set /op_costs_ms/F=-1 --out " + out.string()).code, 2);
  EXPECT_EQ(read_set(out), before);
  expect_complete(out);
}

TEST_F(OutputSet, ADirectoryHoldingOtherFilesIsNeverReplaced) {
  const fs::path out = dir_ / "out";
  fs::create_directories(out);
  std::ofstream(out / "notes.txt") << "mine";
  const Result r = v3sim("run " + scenario("1f1b_4x10.json") + " --out " + out.string());
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("notes.txt"), std::string::npos) << r.output;
  EXPECT_EQ(slurp(out / "notes.txt"), "mine");
  EXPECT_FALSE(fs::exists(out / "summary.json"));
}

}  // namespace
