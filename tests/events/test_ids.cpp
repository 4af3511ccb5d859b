// UUIDv7 ids: valid, time-prefixed, strictly increasing even within one millisecond.
#include <doctest/doctest.h>

#include <set>

#include "events/envelope.hpp"
#include "events/ids.hpp"

using namespace mucstream;

TEST_CASE("ids: UUIDv7 ids increase strictly within a millisecond and when the clock goes back") {
  events::UuidV7Ids ids;
  const std::int64_t ms = 1763780645123;
  std::string prev;
  std::set<std::string> seen;
  for (int i = 0; i < 100000; ++i) {
    const std::int64_t now = i < 90000 ? ms : ms - 5000;  // the clock steps back
    const std::string id = ids.next_id(now);
    REQUIRE(events::is_uuid(id));
    CHECK(id[14] == '7');                                  // version 7
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);  // RFC 9562 variant
    REQUIRE(id > prev);
    prev = id;
    seen.insert(id);
  }
  CHECK(seen.size() == 100000);
  // The first id of a millisecond carries that millisecond.
  const std::string id = ids.next_id(ms + 100000);
  char hex[13];
  std::snprintf(hex, sizeof hex, "%012llx", static_cast<unsigned long long>(ms + 100000));
  CHECK(id.substr(0, 8) + id.substr(9, 4) == hex);
  CHECK(ids.random_bytes(16).size() == 16);
  CHECK(ids.random_bytes(16) != ids.random_bytes(16));
}
