#pragma once
// The opening of every self-contained HTML report: doctype, the shared
// style sheet, the title, and the description paragraph when there is one;
// and its end: the hover box, the #errors element and the page script.
#include <string>

#include "report/html_escape.hpp"
#include "report/timeline_script.hpp"

namespace v3sim::report {

inline std::string html_page_start(const std::string& title, const std::string& description) {
  std::string html = R"(<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>)" + html_escape(title) + R"(</title>
<style>
body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ccc;padding:3px 10px;text-align:right}th{background:#f0f0f0}
td:first-child,th:first-child{text-align:left}.legend span{margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:2px;border:1px solid #555;vertical-align:middle}
.tlbar{margin:4px 0;font-size:12px;color:#555}.tlbar button{margin-right:4px}svg.tl{cursor:grab;user-select:none}svg.tl rect.op,svg.tl rect.op2,svg.tl rect.agg,svg.tl rect.sub{stroke:#555;stroke-width:0.4}svg.tl text.lbl{font-size:10px;text-anchor:middle;dominant-baseline:central}svg.tl text.lbl.s{font-size:8px}
.note{font-size:12px;color:#555;max-width:1100px}
#hoverbox{position:fixed;display:none;background:#fffff0;border:1px solid #999;padding:3px 6px;font-size:12px;
pointer-events:none;max-width:480px;white-space:pre-wrap;z-index:10}#errors{color:#b00}#errors:empty{display:none}
</style></head><body>
)";
  html += "<h1>" + html_escape(title) + "</h1>\n";
  if (!description.empty()) html += "<p>" + html_escape(description) + "</p>\n";
  return html;
}

// Closes a page opened by html_page_start.
inline std::string html_page_end() {
  return std::string("<div id=\"hoverbox\"></div><pre id=\"errors\"></pre>\n") + page_script() + "</body></html>\n";
}

}  // namespace v3sim::report
