#pragma once
// When the multicast service refuses a stanza (an error stanza from the service, answering
// the stanza's from and id), its recipients must still get it: the component keeps what it
// sent through the service for a while, sends a refused stanza again one per recipient, and
// decides what the refusal means for the stanzas still to come.
//
//   MulticastLedger ledger(30'000, 8 << 20);
//   ledger.record({"message", from, id, rendering, first, n}, now);         // when sent
//   if (auto sent = ledger.take("message", escaped(to), escaped(id))) ...   // on the error
//   Fallback f = decide_fallback(condition, sent->count, cap);
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "xmpp/multicast_fanout.hpp"

namespace mucstream::xmpp {

class MulticastLedger {
 public:
  // Keeps a stanza at most `max_age_ms`, and at most `max_bytes` of them (oldest go first):
  // the service answers at once, so these bound a stalled server, not the usual case.
  MulticastLedger(std::int64_t max_age_ms, std::size_t max_bytes) : max_age_ms_(max_age_ms), max_bytes_(max_bytes) {}

  struct Sent {
    std::string kind;  // message | presence
    std::string from;  // escaped, as in the stanza
    std::string id;    // escaped; "" when it has none
    std::shared_ptr<const Rendering> rendering;
    std::size_t first = 0, count = 0;  // its recipients: rendering->to[first, first + count)
    std::int64_t at_ms = 0;
  };
  void record(Sent s, std::int64_t now_ms);
  // The oldest stanza sent with this kind, from and id (the service answers in order); taken out.
  std::optional<Sent> take(std::string_view kind, std::string_view from, std::string_view id);
  void prune(std::int64_t now_ms);
  void clear();
  std::size_t size() const { return sent_.size(); }

 private:
  static std::size_t weight(const Sent& s);
  std::int64_t max_age_ms_;
  std::size_t max_bytes_;
  std::deque<Sent> sent_;
  std::size_t bytes_ = 0;
};

// What a refusal means for the stanzas to come. A service refuses too many recipients with
// not-acceptable (ejabberd's mod_multicast, whose limit for a component is 20 unless
// configured) or policy-violation (deploy/prosody/mod_mucstream_multicast.lua): then a cap of
// half the refused stanza's recipients, as long as that still groups at least two. Anything
// else, or a refusal at the smallest cap: one stanza per recipient until the next connection.
struct Fallback {
  bool stop = true;
  std::size_t cap = 0;  // the new recipient cap when !stop
};
Fallback decide_fallback(std::string_view condition, std::size_t refused_recipients, std::size_t cap);

}  // namespace mucstream::xmpp
