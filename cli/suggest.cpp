#include "cli/suggest.hpp"

#include "sim/json_reader.hpp"

namespace v3sim::cli {
namespace {

std::vector<std::string> long_options(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* o : app.get_options())
    for (const std::string& n : o->get_lnames()) names.push_back("--" + n);
  return names;
}

std::string with_hint(std::string msg, const std::string& word, const std::vector<std::string>& known) {
  if (auto near = sim::nearest(word, known)) msg += " (did you mean '" + *near + "'?)";
  return msg;
}

}  // namespace

std::optional<std::string> suggest_for(const CLI::App& app, int argc, const char* const* argv) {
  if (argc < 2) return std::nullopt;
  const std::string first = argv[1];
  if (first.empty() || first[0] == '-') return std::nullopt;
  std::vector<std::string> commands;
  const CLI::App* sub = nullptr;
  for (const CLI::App* s : app.get_subcommands([](const CLI::App*) { return true; })) {
    commands.push_back(s->get_name());
    if (s->get_name() == first) sub = s;
  }
  if (sub == nullptr) return with_hint("unknown command '" + first + "'", first, commands);
  std::vector<std::string> known = long_options(*sub);
  for (const std::string& n : long_options(app)) known.push_back(n);
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") continue;
    arg = arg.substr(0, arg.find('='));
    if (std::find(known.begin(), known.end(), arg) == known.end())
      return with_hint("unknown option '" + arg + "' for " + first, arg, known);
  }
  return std::nullopt;
}

}  // namespace v3sim::cli
