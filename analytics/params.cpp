#include "analytics/params.hpp"


namespace mucstream::analytics {
namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::optional<std::int64_t> parse_i64(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
    if (s.size() == 1) return std::nullopt;
  }
  std::int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');  // at most 18 digits: no overflow
  }
  return neg ? -v : v;
}

}  // namespace

std::optional<UnixMicros> parse_rfc3339(std::string_view s) {
  // An offset's '+' arrives as a space when the client did not percent-encode it.
  if (s.size() > 19 && s[s.size() - 6] == ' ') {
    std::string fixed(s);
    fixed[fixed.size() - 6] = '+';
    return core::parse_time_us(fixed);
  }
  return core::parse_time_us(s);
}

std::optional<std::string> parse_uuid(std::string_view s) {
  if (s.size() != 36) return std::nullopt;
  std::string out(s);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return std::nullopt;
    } else if (!is_hex(s[i])) {
      return std::nullopt;
    } else if (s[i] >= 'A' && s[i] <= 'F') {
      out[i] = static_cast<char>(s[i] - 'A' + 'a');
    }
  }
  return out;
}

std::string base64url_encode(std::string_view in) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = nullptr;
    for (const char* q = kB64; *q != 0; ++q)
      if (*q == c) p = q;
    if (p == nullptr) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical trailing bits
  return out;
}

std::string encode_cursor(const Cursor& c) {
  return base64url_encode(std::string(1, c.kind) + "1:" + std::to_string(c.time) + ":" + c.id);
}

std::optional<Cursor> decode_cursor(std::string_view text) {
  if (text.empty() || text.size() > 128) return std::nullopt;
  const auto raw = base64url_decode(text);
  if (!raw || raw->size() < 4 || (*raw)[1] != '1' || (*raw)[2] != ':') return std::nullopt;
  Cursor c;
  c.kind = (*raw)[0];
  if (c.kind != 'e' && c.kind != 'r' && c.kind != 'u' && c.kind != 'o' && c.kind != 'n') return std::nullopt;
  const std::string_view rest = std::string_view(*raw).substr(3);
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto t = parse_i64(rest.substr(0, colon));
  const auto id = parse_uuid(rest.substr(colon + 1));
  if (!t || !id) return std::nullopt;
  c.time = *t;
  c.id = *id;
  return c;
}

std::optional<std::int64_t> parse_duration_seconds(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t unit = 1;
  switch (s.back()) {
    case 's': unit = 1; s.remove_suffix(1); break;
    case 'm': unit = 60; s.remove_suffix(1); break;
    case 'h': unit = 3600; s.remove_suffix(1); break;
    case 'd': unit = 86400; s.remove_suffix(1); break;
    default: break;
  }
  if (s.empty() || s.size() > 9 || s[0] == '-') return std::nullopt;
  const auto v = parse_i64(s);
  if (!v || *v <= 0) return std::nullopt;
  return *v * unit;
}

std::optional<std::string> Query::raw(const std::string& name) {
  used_.insert(name);
  const auto n = params_.count(name);
  if (n == 0) return std::nullopt;
  if (n > 1) throw ParamError(name, "given more than once");
  return params_.find(name)->second;
}

std::optional<std::string> Query::text(const std::string& name, std::size_t max_len) {
  auto v = raw(name);
  if (!v) return v;
  if (v->empty()) throw ParamError(name, "must not be empty");
  if (v->size() > max_len) throw ParamError(name, "longer than " + std::to_string(max_len) + " bytes");
  for (unsigned char c : *v)
    if (c < 0x20 || c == 0x7f) throw ParamError(name, "contains control characters");
  return v;
}

std::int64_t Query::integer(const std::string& name, std::int64_t fallback, std::int64_t min, std::int64_t max) {
  const auto v = raw(name);
  if (!v) return fallback;
  const auto n = parse_i64(*v);
  if (!n) throw ParamError(name, "not an integer");
  if (*n < min || *n > max)
    throw ParamError(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return *n;
}

std::optional<bool> Query::boolean(const std::string& name) {
  const auto v = raw(name);
  if (!v) return std::nullopt;
  if (*v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  throw ParamError(name, "must be true or false");
}

std::optional<UnixMicros> Query::time(const std::string& name) {
  const auto v = raw(name);
  if (!v) return std::nullopt;
  const auto t = parse_rfc3339(*v);
  if (!t) throw ParamError(name, "not an RFC 3339 date-time (e.g. 2026-11-22T03:04:05Z)");
  return t;
}

std::optional<std::string> Query::one_of(const std::string& name, std::initializer_list<std::string_view> allowed) {
  const auto v = raw(name);
  if (!v) return v;
  std::string list;
  for (std::string_view a : allowed) {
    if (*v == a) return v;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  throw ParamError(name, "must be one of: " + list);
}

std::vector<std::string> Query::list_of(const std::string& name, const std::set<std::string, std::less<>>& allowed) {
  const auto v = raw(name);
  std::vector<std::string> out;
  if (!v) return out;
  std::string_view rest = *v;
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    if (allowed.find(item) == allowed.end()) {
      std::string shown(item.substr(0, 64));
      for (char& c : shown)
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
      throw ParamError(name, "unknown value '" + shown + "'");
    }
    out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<std::string> Query::uuid(const std::string& name) {
  const auto v = raw(name);
  if (!v) return v;
  auto u = parse_uuid(*v);
  if (!u) throw ParamError(name, "not a UUID");
  return u;
}

std::optional<Cursor> Query::cursor(const std::string& name, char kind) {
  const auto v = raw(name);
  if (!v) return std::nullopt;
  auto c = decode_cursor(*v);
  if (!c || c->kind != kind) throw ParamError(name, "not a cursor this listing returned");
  return c;
}

void Query::check_all_used() const {
  for (const auto& [k, v] : params_)
    if (used_.count(k) == 0) {
      std::string shown = k.substr(0, 64);
      for (char& c : shown)
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
      throw ParamError(shown, "unknown parameter");
    }
}

UnixMicros default_until(std::int64_t now_seconds) {
  constexpr std::int64_t kHour = 3600;
  const std::int64_t hour_end = (now_seconds / kHour + (now_seconds % kHour > 0 ? 1 : 0)) * kHour;
  return hour_end * 1000000;
}

void check_range(const std::optional<UnixMicros>& since, const std::optional<UnixMicros>& until,
                 const std::string& until_name) {
  if (since && until && *until <= *since) throw ParamError(until_name, "must be later than since");
}

}  // namespace mucstream::analytics
