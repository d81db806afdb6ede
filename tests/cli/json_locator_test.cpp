#include "cli/json_locator.hpp"

#include <gtest/gtest.h>

namespace v3sim::cli {
namespace {

const std::string kText = R"({
  "name": "a \"quoted\" {name}",
  "schedule": {
    "kind": "dualpipe",
    "stages": 8
  },
  "list": [1,
    {"x": 2},
    [3]
  ],
  "a/b": 4
})";

TEST(JsonLocator, FindsTheLineOfEachValue) {
  EXPECT_EQ(line_of_pointer(kText, ""), 1);
  EXPECT_EQ(line_of_pointer(kText, "/name"), 2);
  EXPECT_EQ(line_of_pointer(kText, "/schedule"), 3);
  EXPECT_EQ(line_of_pointer(kText, "/schedule/kind"), 4);
  EXPECT_EQ(line_of_pointer(kText, "/schedule/stages"), 5);
  EXPECT_EQ(line_of_pointer(kText, "/list/1/x"), 8);
  EXPECT_EQ(line_of_pointer(kText, "/list/2/0"), 9);
  EXPECT_EQ(line_of_pointer(kText, "/a~1b"), 11);
}

TEST(JsonLocator, APointerIntoNothingGivesTheDeepestAncestor) {
  EXPECT_EQ(line_of_pointer(kText, "/schedule/microbatches"), 3);
  EXPECT_EQ(line_of_pointer(kText, "/list/7"), 7);
  EXPECT_EQ(line_of_pointer(kText, "/nope/deeper"), 1);
}


}  // namespace
}  // namespace v3sim::cli
