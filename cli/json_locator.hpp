#pragma once
// Finds where in a JSON text a JSON pointer's value starts, so that input
// errors can name a line. Only the structure is scanned; the text is assumed
// to be valid JSON (it has been parsed before).
#include <cstddef>
#include <string>

namespace v3sim::cli {

// 1-based line of the value at `pointer`; for a pointer into nothing, the line
// of its deepest existing ancestor.
int line_of_pointer(const std::string& text, const std::string& pointer);

}  // namespace v3sim::cli
