#pragma once
// The opening of every self-contained HTML report: doctype, the shared
// style sheet, the title, and the description paragraph when there is one.
#include <string>

#include "report/html_escape.hpp"

namespace v3sim::report {

inline std::string html_page_start(const std::string& title, const std::string& description) {
  std::string html = R"(<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>)" + html_escape(title) + R"(</title>
<style>
body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ccc;padding:3px 10px;text-align:right}th{background:#f0f0f0}
td:first-child,th:first-child{text-align:left}.legend span{margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:2px;border:1px solid #555;vertical-align:middle}
</style></head><body>
)";
  html += "<h1>" + html_escape(title) + "</h1>\n";
  if (!description.empty()) html += "<p>" + html_escape(description) + "</p>\n";
  return html;
}

}  // namespace v3sim::report
