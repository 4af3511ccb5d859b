#include "core/client_info.hpp"

#include <cstddef>
#include <string>

namespace mucstream::core {
namespace {

// Longer than any real user agent string, short enough that a client cannot bloat rows.
constexpr std::size_t kMaxUseragentBytes = 512;
constexpr std::size_t kMaxFieldBytes = 128;

// The longest prefix of `s` of at most `max` bytes that does not split a UTF-8 sequence.
std::string cap_utf8(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // s[n] continues a sequence
  return s.substr(0, n);
}

}  // namespace

Value sanitize_client_info(const Value& client) {
  Value out = Value::object();
  if (!client.is_object()) return out;
  if (const Value* t = client.find("type"); t && t->is_string() && (t->as_string() == "browser" || t->as_string() == "mobile"))
    out.set("type", t->as_string());
  for (const char* key : {"os", "browser"})
    if (const Value* v = client.find(key); v && v->is_string() && !v->as_string().empty())
      out.set(key, cap_utf8(v->as_string(), kMaxFieldBytes));
  if (const Value* v = client.find("useragent"); v && v->is_string() && !v->as_string().empty())
    out.set("useragent", cap_utf8(v->as_string(), kMaxUseragentBytes));
  return out;
}

}  // namespace mucstream::core
