#include "sim/json_text.hpp"

#include <algorithm>
#include <unordered_map>
#include <vector>

namespace v3sim::sim {
namespace {

// One pass over text the JSON parser has accepted: finds the first duplicate
// key and the first place nesting goes deeper than allowed.
class StructureCheck {
 public:
  explicit StructureCheck(const std::string& t) : t_(t) {}

  void run() {
    struct Frame {
      bool object;
      std::unordered_map<std::string, int> keys;  // key -> line (tens of thousands of keys stay linear)
    };
    std::vector<Frame> stack;
    bool expect_key = false;
    while (pos_ < t_.size()) {
      const char c = t_[pos_];
      if (c == '\n' || (c == '\r' && (pos_ + 1 >= t_.size() || t_[pos_ + 1] != '\n'))) ++line_;
      if (c == '"') {
        const int at = line_;
        std::string s = read_string();
        if (expect_key && !stack.empty() && stack.back().object) {
          auto& keys = stack.back().keys;
          const auto [it, fresh] = keys.emplace(std::move(s), at);
          if (!fresh)
            throw JsonTextError(at, "duplicate key '" + it->first + "' (first on line " + std::to_string(it->second) +
                                        ", again on line " + std::to_string(at) + ")");
        }
        expect_key = false;
        continue;
      }
      if (c == '{' || c == '[') {
        stack.push_back({c == '{', {}});
        if (static_cast<int>(stack.size()) > kMaxJsonDepth)
          throw JsonTextError(line_, "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        expect_key = c == '{';
      } else if (c == '}' || c == ']') {
        if (!stack.empty()) stack.pop_back();
      } else if (c == ',') {
        expect_key = !stack.empty() && stack.back().object;
      }
      ++pos_;
    }
  }

 private:
  std::string read_string() { return raw_json_string(t_, pos_); }

  const std::string& t_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

// The parser reports a number it cannot hold without a position; find the
// token in the text to name its line.
int line_of_token(const std::string& text, const std::string& what) {
  const std::size_t open = what.find('\''), close = what.rfind('\'');
  if (open == std::string::npos || close <= open) return 1;
  const std::size_t at = text.find(what.substr(open + 1, close - open - 1));
  return at == std::string::npos ? 1 : line_of_offset(text, at);
}

}  // namespace

std::string raw_json_string(const std::string& text, std::size_t& pos) {
  std::string out;
  ++pos;
  while (pos < text.size() && text[pos] != '"') {
    if (text[pos] == '\\' && pos + 1 < text.size()) out += text[pos++];
    out += text[pos++];
  }
  ++pos;
  return out;
}

int line_of_offset(const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  int line = 1;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) ++line;
  return line;
}

nlohmann::json parse_strict_json(const std::string& text) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
    const std::string what = e.what();
    const std::size_t cut = what.find("syntax error");
    throw JsonTextError(line_of_offset(text, at),
                        "invalid JSON: " + (cut == std::string::npos ? what : what.substr(cut)));
  } catch (const nlohmann::json::out_of_range& e) {
    const std::string what = e.what();
    const std::size_t q = what.find('\'');
    throw JsonTextError(line_of_token(text, what),
                        "number out of the range of a double: " + (q == std::string::npos ? what : what.substr(q)));
  } catch (const nlohmann::json::exception& e) {
    throw JsonTextError(1, std::string("invalid JSON: ") + e.what());
  }
  StructureCheck(text).run();
  return doc;
}

}  // namespace v3sim::sim
