// CSV cells, readable column names and tables, against hand-written text.
#include <gtest/gtest.h>

#include "report/csv_table.hpp"

namespace v3sim::report {
namespace {

TEST(CsvTable, CellsQuoteAndRoundAsAReaderWants) {
  EXPECT_EQ(csv_cell(nlohmann::json(21.838642891000002)), "21.8386");
  EXPECT_EQ(csv_cell(nlohmann::json(4096.0)), "4096");
  EXPECT_EQ(csv_cell(nlohmann::json(1.5e13)), "15000000000000");
  EXPECT_EQ(csv_cell(nlohmann::json(2.5e15)), "2.5e+15");
  EXPECT_EQ(csv_cell(nlohmann::json(61)), "61");
  EXPECT_EQ(csv_cell(nlohmann::json(true)), "true");
  EXPECT_EQ(csv_cell(nlohmann::json(nullptr)), "");
  EXPECT_EQ(csv_cell(nlohmann::json("a, \"b\"")), "\"a, \"\"b\"\"\"");
}

TEST(CsvTable, PointersBecomeWordsWithUnits) {
  EXPECT_EQ(readable_name("/step_time_s"), "step time (s)");
  EXPECT_EQ(readable_name("/parallelism/pp"), "parallelism pp");
  EXPECT_EQ(readable_name("/ranks/0/memory_bytes/total"), "ranks 0 memory total (bytes)");
  EXPECT_EQ(readable_name("/tokens_per_s"), "tokens (per s)");
  EXPECT_EQ(readable_name("/all_to_all_s/to_experts_fp8"), "all to all to experts fp8 (s)");
  EXPECT_EQ(readable_name("/a~1b"), "a/b");
  EXPECT_EQ(readable_name("step_time_s"), "step time (s)");
}

TEST(CsvTable, RowsShareColumnsInOrderOfFirstAppearance) {
  const auto rows = nlohmann::json::parse(R"([{"schedule":"1f1b","step_time_s":1.25},
                                              {"schedule":"zb1p","error":"no, it failed"}])");
  EXPECT_EQ(json_rows_csv(rows), "schedule,step time (s),error\n1f1b,1.25,\nzb1p,,\"no, it failed\"\n");
  const auto object = nlohmann::json::parse(R"({"b":[3,{"c_ms":0.5}],"a":"x"})");
  EXPECT_EQ(json_fields_csv(object), "field,value,pointer\na,x,/a\nb 0,3,/b/0\nb 1 c (ms),0.5,/b/1/c_ms\n");
}

}  // namespace
}  // namespace v3sim::report
