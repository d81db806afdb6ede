#pragma once
// CSV as spreadsheets and pandas read it (RFC 4180 quoting), with numbers at
// a precision a reader wants (6 significant digits; integers exact; the JSON
// files keep every digit) and column names a reader can read: a JSON
// pointer's path in words, its unit in parentheses ("/step_time_s" ->
// "step time (s)"), the pointer itself kept in the JSON beside the CSV.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace v3sim::report {

std::string csv_cell(const nlohmann::json& value);
std::string csv_quote(std::string_view text);

// "/parallelism/pp" -> "parallelism pp", "/ranks/0/memory_bytes/total" ->
// "ranks 0 memory total (bytes)", "/step_time_s" -> "step time (s)".
std::string readable_name(std::string_view pointer);

// An object as rows of "field,value": one per leaf, named by readable_name
// of its pointer, the pointer in a third column.
std::string json_fields_csv(const nlohmann::json& object);

// An array of objects as a table: one row each, one column per leaf pointer
// (`first` in its order, where present, then the others in order of first
// appearance), a missing leaf an empty cell.
std::string json_rows_csv(const nlohmann::json& rows, const std::vector<std::string>& first = {});

}  // namespace v3sim::report
