#include "sim/json_reader.hpp"

#include <gtest/gtest.h>

namespace v3sim::sim {
namespace {

using nlohmann::json;

std::pair<std::string, std::string> error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return {e.pointer(), e.what()};
  }
  return {"", "no error"};
}

TEST(JsonReader, UnknownKeySuggestsTheNearestValidOne) {
  const json j = {{"schedule", 1}, {"stagse", 2}};
  const auto [ptr, msg] = error_of([&] {
    ObjectReader r(j, "/x");
    r.only_keys({"schedule", "stages", "microbatches"});
  });
  EXPECT_EQ(ptr, "/x/stagse");
  EXPECT_EQ(msg, "unknown key 'stagse' (did you mean 'stages'?)");
}

TEST(JsonReader, UnknownKeyWithNothingCloseListsTheValidKeys) {
  const json j = {{"zzzzzzzz", 1}};
  const auto [ptr, msg] = error_of([&] { ObjectReader(j, "").only_keys({"kind", "stages"}); });
  EXPECT_EQ(ptr, "/zzzzzzzz");
  EXPECT_EQ(msg, "unknown key 'zzzzzzzz' (valid keys: kind, stages)");
}

TEST(JsonReader, WrongTypesAndRangesNameWhatWasExpected) {
  const json j = {{"n", "four"}, {"m", 2.5}, {"k", 0}, {"s", 3}};
  EXPECT_EQ(error_of([&] { ObjectReader(j, "/a").integer("n", 1, 9); }).second, "expected an integer, got a string");
  EXPECT_EQ(error_of([&] { ObjectReader(j, "/a").integer("m", 1, 9); }).second, "expected an integer, got 2.5");
  EXPECT_EQ(error_of([&] { ObjectReader(j, "/a").integer("k", 1, 9); }).second, "expected an integer in [1, 9], got 0");
  EXPECT_EQ(error_of([&] { ObjectReader(j, "/a").string("s"); }).second, "expected a string, got a number");
  EXPECT_EQ(error_of([&] { ObjectReader(j, "/a").number("missing", 0, 1); }),
            std::make_pair(std::string("/a/missing"), std::string("missing required field 'missing'")));
}

TEST(JsonReader, EnumsSuggestTheClosestValue) {
  const json j = {{"kind", "dualpip"}};
  EXPECT_EQ(error_of([&] { ObjectReader(j, "").one_of("kind", {"1f1b", "dualpipe"}); }).second,
            "expected one of 1f1b, dualpipe, got \"dualpip\" (did you mean \"dualpipe\"?)");
}

TEST(JsonReader, NotAnObject) {
  EXPECT_EQ(error_of([&] { ObjectReader(json::array(), ""); }),
            std::make_pair(std::string("/"), std::string("expected an object, got an array")));
}

TEST(JsonReader, PointerTokensAreEscaped) { EXPECT_EQ(pointer_token("a/b~c"), "a~1b~0c"); }

}  // namespace
}  // namespace v3sim::sim
