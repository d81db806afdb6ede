#pragma once
// "Did you mean" for the command line: a misspelt subcommand or option is
// named with the nearest valid one (by edit distance, as for JSON keys).
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace v3sim::cli {

// A one-line message for the first argument that names no subcommand or
// option of the command it was given to, with a suggestion; nullopt when
// every argument is known (the parse error is about something else).
std::optional<std::string> suggest_for(const CLI::App& app, int argc, const char* const* argv);

}  // namespace v3sim::cli
