// Stanza bytes from the XMPP server -> gloox Tag -> xmpp::decode -> core::execute.
// Up to eight stanzas per input, so sequences (join, nick change, leave, destroy) are
// reachable; each input starts from the same seeded room.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/world.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;  // the decoder's cost is linear; big inputs only slow the search
  using mucstream::fuzz::World;
  const auto stanzas = mucstream::fuzz::parse_stanzas(std::string(reinterpret_cast<const char*>(data), size), 8);
  World w = World::seeded();
  for (const auto& t : stanzas) w.handle(*t);
  return 0;
}
