// Kafka message bytes -> events::decode (the materialiser's and restore's input). What the
// decoder accepts must survive a round trip: encode(decode(x)) decodes to an event that
// encodes to the same bytes. A difference means the log and PostgreSQL could disagree.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "events/envelope.hpp"
#include "events/json_value.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 256 * 1024) return -1;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto first = mucstream::events::decode(text);
  // The open-ended columns' parser sees the same bytes: both refuse without crashing.
  (void)mucstream::events::decode_value(text);
  if (!first) return 0;
  const std::string once = mucstream::events::encode(*first.event);
  const auto second = mucstream::events::decode(once);
  if (!second) {
    std::fprintf(stderr, "re-encoded envelope refused: %s\n%s\n", second.error.c_str(), once.c_str());
    std::abort();
  }
  const std::string twice = mucstream::events::encode(*second.event);
  if (once != twice) {
    std::fprintf(stderr, "envelope round trip differs:\n%s\n%s\n", once.c_str(), twice.c_str());
    std::abort();
  }
  return 0;
}
