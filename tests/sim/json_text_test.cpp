#include "sim/json_text.hpp"

#include <gtest/gtest.h>

namespace v3sim::sim {
namespace {

int error_line(const std::string& text, std::string* message = nullptr) {
  try {
    parse_strict_json(text);
  } catch (const JsonTextError& e) {
    if (message) *message = e.what();
    return e.line();
  }
  return 0;
}

TEST(JsonText, LineOfOffsetCountsLfCrlfAndLoneCr) {
  EXPECT_EQ(line_of_offset("a\nb\nc", 0), 1);
  EXPECT_EQ(line_of_offset("a\nb\nc", 2), 2);
  EXPECT_EQ(line_of_offset("a\nb\nc", 99), 3);
  EXPECT_EQ(line_of_offset("a\r\nb\r\nc", 6), 3);  // CRLF is one break
  EXPECT_EQ(line_of_offset("a\rb\rc", 4), 3);      // old Mac endings
}

TEST(JsonText, NumberBeyondADoubleNamesItsLine) {
  std::string msg;
  EXPECT_EQ(error_line("{\n\"a\": 1,\n\"b\": 1e400\n}", &msg), 3);
  EXPECT_NE(msg.find("1e400"), std::string::npos) << msg;
}

TEST(JsonText, DuplicateKeyNamesBothLines) {
  std::string msg;
  EXPECT_EQ(error_line("{\n\"x\": {\"a\": 1,\n\"b\": 2,\n\"a\": 3}}", &msg), 4);
  EXPECT_NE(msg.find("'a'"), std::string::npos);
  EXPECT_NE(msg.find("first on line 2"), std::string::npos) << msg;
  // The same key in sibling objects, or as a string value, is not a duplicate.
  EXPECT_EQ(error_line(R"({"a": {"k": 1}, "b": {"k": "a"}, "c": ["a", "a"]})"), 0);
}

TEST(JsonText, NestingIsBounded) {
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_EQ(error_line(ok), 0);
  const int deep = 100000;
  std::string msg;
  EXPECT_EQ(error_line(std::string(deep, '[') + std::string(deep, ']'), &msg), 1);
  EXPECT_NE(msg.find("nesting"), std::string::npos);
}

TEST(JsonText, SyntaxErrorsNameTheLineAfterCrOnlyBreaks) {
  EXPECT_EQ(error_line("{\r\"a\": 1,\r\"b\": }"), 3);
}

}  // namespace
}  // namespace v3sim::sim
