// The one token bucket of the room loop, driven by the caller's clock.
#include "tests/xmpp/util.hpp"
#include "xmpp/flood_control.hpp"

using mucstream::xmpp::TokenBuckets;
using V = TokenBuckets::Verdict;

TEST_CASE("token buckets: a new key has the whole burst, then the rate refills it") {
  TokenBuckets b(2, 3);  // 2 per second, burst 3
  CHECK(b.take("a", 1000) == V::pass);
  CHECK(b.take("a", 1000) == V::pass);
  CHECK(b.take("a", 1000) == V::pass);
  CHECK(b.take("a", 1000) == V::refuse);
  CHECK(b.take("b", 1000) == V::pass);  // keys are independent
  CHECK(b.take("a", 1499) == V::refuse);  // 0.998 tokens
  CHECK(b.take("a", 1500) == V::pass);    // one token after half a second
  CHECK(b.take("a", 1500) == V::refuse);
  CHECK(b.take("a", 100'000) == V::pass);  // refilled, but never beyond the burst
  CHECK(b.take("a", 100'000) == V::pass);
  CHECK(b.take("a", 100'000) == V::pass);
  CHECK(b.take("a", 100'000) == V::refuse);
}

TEST_CASE("token buckets: a rate of zero never refuses, a burst below one always does") {
  TokenBuckets off(0, 0);
  for (int i = 0; i < 100; ++i) CHECK(off.take("a", 0) == V::pass);
  CHECK(off.size() == 0);
  TokenBuckets tiny(5, 0.5);
  CHECK(tiny.take("a", 0) == V::refuse);
}

TEST_CASE("token buckets: keys whose bucket refilled are forgotten, busy ones kept") {
  TokenBuckets b(1, 2);
  CHECK(b.take("idle", 1'000) == V::pass);
  CHECK(b.take("busy", 100'000) == V::pass);  // first sweep: idle refilled, forgotten
  CHECK(b.size() == 1);
  CHECK(b.take("busy", 100'000) == V::pass);
  CHECK(b.take("busy", 100'000) == V::refuse);
  CHECK(b.take("other", 100'000 + TokenBuckets::kSweepEveryMs + 1) == V::pass);  // busy refilled: swept
  CHECK(b.size() == 1);
}
