#include "analytics/url.hpp"

namespace mucstream::analytics {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = hex_digit(in[i + 1]), lo = hex_digit(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += plus_is_space && c == '+' ? ' ' : c;
    }
  }
  return out;
}

std::optional<std::multimap<std::string, std::string>> parse_query(std::string_view q) {
  std::multimap<std::string, std::string> out;
  while (!q.empty()) {
    const auto amp = q.find('&');
    const std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto k = percent_decode(pair.substr(0, eq), true);
    auto v = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!k || !v) return std::nullopt;
    out.emplace(std::move(*k), std::move(*v));
  }
  return out;
}

bool route_matches(std::string_view tmpl, std::string_view path, std::vector<std::string>* params) {
  while (!tmpl.empty() && !path.empty()) {
    const auto ts = tmpl.find('/', 1), ps = path.find('/', 1);
    const std::string_view t = tmpl.substr(0, ts), p = path.substr(0, ps);
    const bool param = t.size() > 2 && t[1] == '{' && t.back() == '}';
    if (param ? p.size() < 2 : t != p) return false;
    if (param && params != nullptr) params->emplace_back(p.substr(1));
    tmpl = ts == std::string_view::npos ? std::string_view() : tmpl.substr(ts);
    path = ps == std::string_view::npos ? std::string_view() : path.substr(ps);
  }
  return tmpl.empty() && path.empty();
}

}  // namespace mucstream::analytics
