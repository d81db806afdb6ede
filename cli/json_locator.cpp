#include "cli/json_locator.hpp"

#include <algorithm>
#include <vector>

#include "sim/json_text.hpp"

namespace v3sim::cli {
namespace {

class Scanner {
 public:
  explicit Scanner(const std::string& t) : t_(t) {}

  // Positions at the value named by tokens[depth..], or at the deepest
  // container on the way that lacks the next token.
  std::size_t find(const std::vector<std::string>& tokens) {
    skip_ws();
    std::size_t here = pos_;
    for (const std::string& token : tokens) {
      if (at('{')) {
        if (!enter_member(token)) return here;
      } else if (at('[')) {
        if (!enter_element(token)) return here;
      } else {
        return here;
      }
      skip_ws();
      here = pos_;
    }
    return here;
  }

 private:
  bool at(char c) const { return pos_ < t_.size() && t_[pos_] == c; }
  void skip_ws() {
    while (pos_ < t_.size() && (t_[pos_] == ' ' || t_[pos_] == '\n' || t_[pos_] == '\r' || t_[pos_] == '\t')) ++pos_;
  }
  std::string read_string() { return sim::raw_json_string(t_, pos_); }
  void skip_value() {
    skip_ws();
    if (at('"')) {
      read_string();
      return;
    }
    if (at('{') || at('[')) {
      int depth = 0;
      do {
        if (at('"')) {
          read_string();
          continue;
        }
        if (at('{') || at('[')) ++depth;
        if (at('}') || at(']')) --depth;
        ++pos_;
      } while (depth > 0 && pos_ < t_.size());
      return;
    }
    while (pos_ < t_.size() && t_[pos_] != ',' && t_[pos_] != '}' && t_[pos_] != ']') ++pos_;
  }
  bool enter_member(const std::string& key) {
    ++pos_;  // '{'
    for (;;) {
      skip_ws();
      if (!at('"')) return false;
      const std::string k = read_string();
      skip_ws();
      ++pos_;  // ':'
      skip_ws();
      if (k == key) return true;
      skip_value();
      skip_ws();
      if (!at(',')) return false;
      ++pos_;
    }
  }
  bool enter_element(const std::string& token) {
    if (token.empty() || !std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return false;
    const unsigned long index = std::stoul(token);
    ++pos_;  // '['
    for (unsigned long i = 0;; ++i) {
      skip_ws();
      if (at(']')) return false;
      if (i == index) return true;
      skip_value();
      skip_ws();
      if (!at(',')) return false;
      ++pos_;
    }
  }

  const std::string& t_;
  std::size_t pos_ = 0;
};

std::vector<std::string> split_pointer(const std::string& pointer) {
  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (i < pointer.size() && pointer[i] == '/') {
    const std::size_t j = pointer.find('/', i + 1);
    std::string raw = pointer.substr(i + 1, j == std::string::npos ? std::string::npos : j - i - 1);
    std::string token;
    for (std::size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] == '~' && k + 1 < raw.size()) {
        token += raw[k + 1] == '1' ? '/' : '~';
        ++k;
      } else {
        token += raw[k];
      }
    }
    tokens.push_back(token);
    if (j == std::string::npos) break;
    i = j;
  }
  return tokens;
}

}  // namespace

int line_of_pointer(const std::string& text, const std::string& pointer) {
  Scanner scanner(text);
  return sim::line_of_offset(text, scanner.find(split_pointer(pointer)));
}

}  // namespace v3sim::cli
