#include "report/csv_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace v3sim::report {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Unit suffixes of the summary's field names, longest first.
constexpr std::pair<std::string_view, std::string_view> kUnits[] = {
    {"_per_s", "per s"}, {"_bytes", "bytes"}, {"_ms", "ms"}, {"_s", "s"}, {"_gb", "GB"}};

// Leaves in document order (arrays by index, objects by key), pointers escaped.
void leaves(const nlohmann::json& v, const std::string& pointer, std::vector<std::pair<std::string, nlohmann::json>>& out) {
  if (v.is_array() && !v.empty()) {
    for (std::size_t i = 0; i < v.size(); ++i) leaves(v[i], pointer + "/" + std::to_string(i), out);
  } else if (v.is_object() && !v.empty()) {
    for (const auto& [k, child] : v.items()) {
      std::string key;
      for (char c : k) key += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
      leaves(child, pointer + "/" + key, out);
    }
  } else {
    out.push_back({pointer, v});
  }
}

}  // namespace

std::string csv_quote(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_cell(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return csv_quote(v.get<std::string>());
  if (v.is_number_float()) {
    const double d = v.get<double>();
    return d == static_cast<double>(static_cast<long long>(d)) && std::abs(d) < 1e15 ? fmt::format("{}", static_cast<long long>(d))
                                                                                       : fmt::format("{:.6g}", d);
  }
  return csv_quote(v.dump());
}

std::string readable_name(std::string_view pointer) {
  std::vector<std::string> words;
  std::string unit;
  std::size_t i = pointer.empty() || pointer[0] != '/' ? 0 : 1;
  while (i <= pointer.size()) {
    std::size_t j = pointer.find('/', i);
    if (j == std::string_view::npos) j = pointer.size();
    std::string seg;
    for (std::size_t k = i; k < j; ++k)  // RFC 6901 escapes
      if (pointer[k] == '~' && k + 1 < j) seg += pointer[++k] == '1' ? '/' : '~';
      else seg += pointer[k];
    for (const auto& [suffix, name] : kUnits)
      if (ends_with(seg, suffix)) {
        seg.resize(seg.size() - suffix.size());
        unit = name;
        break;
      }
    std::replace(seg.begin(), seg.end(), '_', ' ');
    if (!seg.empty()) words.push_back(seg);
    i = j + 1;
  }
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  if (!unit.empty()) out += " (" + unit + ")";
  return out.empty() ? std::string(pointer) : out;
}

std::string json_fields_csv(const nlohmann::json& object) {
  std::string out = "field,value,pointer\n";
  std::vector<std::pair<std::string, nlohmann::json>> all;
  leaves(object, "", all);
  for (const auto& [pointer, value] : all)
    out += csv_quote(readable_name(pointer)) + "," + csv_cell(value) + "," + csv_quote(pointer) + "\n";
  return out;
}

std::string json_rows_csv(const nlohmann::json& rows, const std::vector<std::string>& first) {
  std::vector<std::string> columns;
  std::vector<std::map<std::string, nlohmann::json>> flat;
  for (const std::string& pointer : first)
    for (const nlohmann::json& r : rows)
      if (r.contains(nlohmann::json::json_pointer(pointer))) {
        columns.push_back(pointer);
        break;
      }
  for (const nlohmann::json& r : rows) {
    std::vector<std::pair<std::string, nlohmann::json>> row;
    leaves(r, "", row);
    for (const auto& [pointer, value] : row)
      if (std::find(columns.begin(), columns.end(), pointer) == columns.end()) columns.push_back(pointer);
    flat.emplace_back(row.begin(), row.end());
  }
  std::string out;
  for (std::size_t c = 0; c < columns.size(); ++c) out += (c ? "," : "") + csv_quote(readable_name(columns[c]));
  out += "\n";
  for (const auto& f : flat) {
    for (std::size_t c = 0; c < columns.size(); ++c)
      out += (c ? "," : "") + (f.count(columns[c]) ? csv_cell(f.at(columns[c])) : std::string());
    out += "\n";
  }
  return out;
}

}  // namespace v3sim::report
