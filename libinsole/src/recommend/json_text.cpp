#include "json_text.hpp"

#include <algorithm>

namespace insole::recommend::detail {

namespace {

using json = nlohmann::json;
using DomParser = nlohmann::detail::json_sax_dom_parser<json>;

// The DOM builder of nlohmann with the error callback replaced: it records the failure instead of
// throwing. sax_parse() is a template over the SAX type, so the hiding member is the one called.
class RecordingParser : public DomParser {
 public:
  explicit RecordingParser(json& root) : DomParser(root, false) {}

  bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception& ex) {
    position_ = position;
    id_ = ex.id;
    token_ = token;
    message_ = ex.what();
    return false;
  }

  std::size_t position() const { return position_; }
  int id() const { return id_; }
  const std::string& token() const { return token_; }
  const std::string& message() const { return message_; }

 private:
  std::size_t position_ = 0;
  int id_ = 0;
  std::string token_;
  std::string message_;
};

std::string shortened(std::string s, std::size_t max_chars) {
  if (s.size() <= max_chars) return s;
  s.resize(max_chars);
  return s + "...";
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 1, column 5: "
// prefix (the place is given once, by us).
std::string plain_message(const std::string& what) {
  std::string m = what;
  if (!m.empty() && m.front() == '[') {
    const auto close = m.find("] ");
    if (close != std::string::npos) m = m.substr(close + 2);
  }
  if (m.rfind("parse error", 0) == 0) {
    const auto colon = m.find(": ");
    if (colon != std::string::npos) m = m.substr(colon + 2);
  }
  return shortened(m, 200);
}

}  // namespace

json parse_json_text(std::string_view text) {
  json root;
  RecordingParser sax(root);
  const bool ok = json::sax_parse(text.begin(), text.end(), &sax);
  if (ok && !sax.is_errored()) return root;
  // nlohmann's position is one past the offending character; for a number that overflows it is
  // the end of the number, so the place given is where the number starts.
  std::size_t at = sax.position() == 0 ? 0 : sax.position() - 1;
  if (sax.id() == 406) at = sax.position() >= sax.token().size() ? sax.position() - sax.token().size() : 0;
  at = std::min(at, text.size());
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  std::string what = sax.id() == 406 ? "number too large for a double: " + shortened(sax.token(), 40)
                                     : plain_message(sax.message());
  throw JsonTextError("line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + what);
}

}  // namespace insole::recommend::detail
