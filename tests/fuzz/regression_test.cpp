// Replays every input the fuzzers ever found trouble with (and the shipped
// scenarios and studies, their seed corpus) through the fuzzers' code: each
// must end as accepted, bad input or deadlock, with no other exception (and,
// in the sanitizer build, no sanitizer report).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/fuzz/fuzz_entry.hpp"

namespace {

namespace fs = std::filesystem;

std::string bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <typename Entry>
int replay(const fs::path& dir, Entry entry) {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string b = bytes(e.path());
    EXPECT_NO_THROW(entry(reinterpret_cast<const std::uint8_t*>(b.data()), b.size())) << e.path();
    ++n;
  }
  return n;
}

const fs::path kFuzz = fs::path(V3SIM_SOURCE_DIR) / "tests" / "fuzz";

TEST(FuzzRegressions, ScenarioCorpusReplays) {
  EXPECT_GT(replay(kFuzz / "regressions" / "scenario", v3sim::fuzz::scenario_bytes), 0);
}

TEST(FuzzRegressions, StudyCorpusReplays) {
  EXPECT_GT(replay(kFuzz / "regressions" / "study", v3sim::fuzz::study_bytes), 0);
}

// Nesting far past the JSON depth limit (sim/json_text.hpp), deep enough to
// overflow a recursive parser's stack were the limit not checked first.
// Built here rather than kept as 200 KB files in regressions/.
std::string nested(int depth) { return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']'); }

template <typename Entry>
void feed(const std::string& b, Entry entry) {
  EXPECT_NO_THROW(entry(reinterpret_cast<const std::uint8_t*>(b.data()), b.size()));
}

TEST(FuzzRegressions, DeepNestingIsRefusedNotRecursedInto) {
  feed(nested(100000), v3sim::fuzz::scenario_bytes);
  feed(R"({"base": "b.json", "axes": [{"pointer": "/name", "values": )" + nested(100001) + R"(}], "fields": ["/x"]})",
       v3sim::fuzz::study_bytes);
}

}  // namespace
