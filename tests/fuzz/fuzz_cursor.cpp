// A `cursor` query parameter -> decode_cursor (base64url, then "<kind>1:<micros>:<uuid>").
// Every accepted cursor re-encodes to one that decodes to the same position, and base64url
// is canonical: what decodes encodes back to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "analytics/params.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mucstream::analytics;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto raw = base64url_decode(text); raw && base64url_encode(*raw) != text) {
    std::fprintf(stderr, "base64url is not canonical for '%.*s'\n", static_cast<int>(text.size()), text.data());
    std::abort();
  }
  const auto c = decode_cursor(text);
  if (!c) return 0;
  const auto again = decode_cursor(encode_cursor(*c));
  if (!again || !(*again == *c)) {
    std::fprintf(stderr, "cursor round trip failed for '%.*s'\n", static_cast<int>(text.size()), text.data());
    std::abort();
  }
  return 0;
}
