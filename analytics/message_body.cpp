#include "analytics/message_body.hpp"

#include <cstdint>

namespace mucstream::analytics {
namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// One entity or character reference at text[0] == '&'; appends it and returns its length,
// or appends '&' and returns 1 when it is not one.
std::size_t decode_reference(std::string_view text, std::string& out) {
  const auto semi = text.find(';');
  if (semi == std::string_view::npos || semi > 10) {
    out += '&';
    return 1;
  }
  const std::string_view name = text.substr(1, semi - 1);
  if (name == "lt") out += '<';
  else if (name == "gt") out += '>';
  else if (name == "amp") out += '&';
  else if (name == "quot") out += '"';
  else if (name == "apos") out += '\'';
  else if (name.size() > 1 && name[0] == '#') {
    const bool hex = name[1] == 'x';
    std::uint32_t cp = 0;
    const std::string_view digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) {
      out += '&';
      return 1;
    }
    for (char c : digits) {
      int v = c >= '0' && c <= '9' ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (v < 0 || cp > 0x10FFFF) {
        out += '&';
        return 1;
      }
      cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
    }
    if (cp > 0x10FFFF) {
      out += '&';
      return 1;
    }
    append_utf8(out, cp);
  } else {
    out += '&';
    return 1;
  }
  return semi + 1;
}

}  // namespace

std::optional<std::string> body_text(std::string_view payload) {
  std::size_t pos = 0;
  for (;;) {
    pos = payload.find("<body", pos);
    if (pos == std::string_view::npos) return std::nullopt;
    const std::size_t after = pos + 5;
    if (after < payload.size() && (payload[after] == '>' || payload[after] == ' ' || payload[after] == '/' ||
                                   payload[after] == '\t' || payload[after] == '\n'))
      break;
    pos = after;  // <bodyx…>: another element
  }
  const std::size_t open_end = payload.find('>', pos);
  if (open_end == std::string_view::npos) return std::nullopt;
  if (payload[open_end - 1] == '/') return std::string();  // <body/>
  const std::size_t close = payload.find("</body>", open_end);
  if (close == std::string_view::npos) return std::nullopt;
  const std::string_view raw = payload.substr(open_end + 1, close - open_end - 1);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    if (raw[i] == '&') {
      i += decode_reference(raw.substr(i), out);
    } else {
      out += raw[i++];
    }
  }
  return out;
}

}  // namespace mucstream::analytics
