#pragma once
// IQs between occupants (XEP-0045 §7.x): an IQ get/set addressed to room/nick goes to the
// target occupant's real JID with the sender's room JID as `from` and an id of ours; the
// answer, addressed back to that room JID, goes to the asker under its own id. Owns the
// table of routed requests; returns the bytes to send, never sends itself.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/state.hpp"
#include "xmpp/decoder.hpp"

namespace gloox {
class Tag;
}

namespace mucstream::xmpp {

class OccupantIqRouter {
 public:
  // `id_prefix` makes our ids unique to this process (e.g. "mucstream-<random>-").
  explicit OccupantIqRouter(std::string id_prefix) : prefix_(std::move(id_prefix)) {}

  // The request rewritten for the target occupant, or nullopt when it is not ours to route
  // (sender not joined, no such nick, the sender itself): answer_query then answers it.
  std::optional<std::string> route(const core::Service&, const Decoded&, const gloox::Tag& iq, std::int64_t now_ms);

  // The answer rewritten for the asker, or nullopt when its id is unknown or it does not
  // come from the occupant the request went to (spoofed): dropped.
  std::optional<std::string> answer(const Decoded&, const gloox::Tag& iq);

  std::size_t pending() const { return pending_.size(); }
  // Above this many open requests, those older than kForgetAfterMs are forgotten.
  static constexpr std::size_t kSweepAbove = 1000;
  static constexpr std::int64_t kForgetAfterMs = 60'000;

 private:
  struct Pending {
    std::string requester;           // real full JID that asked
    std::string request_id;          // its id
    std::string responder;           // real full JID the request went to
    std::string responder_room_jid;  // room/nick of the responder: `from` of the answer
    std::int64_t at_ms = 0;
  };
  std::string prefix_;
  std::uint64_t counter_ = 0;
  std::unordered_map<std::string, Pending> pending_;
};

}  // namespace mucstream::xmpp
