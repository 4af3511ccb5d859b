#pragma once
// Ghosts: sessions the room holds whose client is gone. Two ways to find them:
//  - a bounce: the session's server answers something the room sent it with an error of a
//    condition that means "no such recipient" (service-unavailable, recipient-unavailable,
//    item-not-found, remote-server-not-found, gone);
//  - after a connect (rooms restored, or kept in memory while the server forgot us), an
//    XEP-0199 ping from the room to every session: an error or no answer in time is a ghost.
//    service-unavailable is what a server answers for a client that is gone, and also what a
//    client that does not do pings must answer (RFC 6120 §8.4): that one is asked again with
//    a disco#info query, which every client answers; a second service-unavailable is a ghost.
// Both end in core::RemoveGhost, executed by the room handler.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/command.hpp"
#include "core/state.hpp"

namespace gloox {
class Tag;
}

namespace mucstream::xmpp {

// The ghost a message or presence error from a session means, or nullopt (not an error,
// not from a session of the room it was addressed to, or a condition that does not mean
// the client is gone). IQ errors are not bounces here: an occupant's client answers routed
// IQs with errors of its own.
std::optional<core::RemoveGhost> bounced_session(const gloox::Tag& stanza, const core::Service& s);

class GhostPings {
 public:
  // `id_prefix` makes our ping ids unique to this process.
  GhostPings(std::string id_prefix, std::int64_t timeout_ms) : prefix_(std::move(id_prefix)), timeout_ms_(timeout_ms) {}

  // Queues a ping to every session of every room (after a connect).
  void ping_all(const core::Service& s);
  // Renders up to `max` queued pings into `out`; their clock starts now. Returns how many.
  std::size_t send(std::size_t max, std::int64_t mono_ms, std::string& out);

  enum class Answer { not_ours, alive, ghost, asking_again };
  // An IQ result or error: one of our pings answered? `ghost` is filled when it means one;
  // asking_again: the disco#info query is queued (send it like the pings).
  Answer answer(const gloox::Tag& iq, core::RemoveGhost& ghost);
  // Pings unanswered for longer than the timeout: ghosts.
  std::vector<core::RemoveGhost> expired(std::int64_t mono_ms);

  void clear();  // the connection went: no answer can come any more
  bool queued() const { return !queue_.empty(); }
  std::size_t pending() const { return pending_.size(); }

 private:
  struct Ask {
    core::RemoveGhost who;
    bool again = false;  // the disco#info after a service-unavailable
  };
  struct Pending {
    Ask ask;
    std::int64_t sent_ms = 0;
  };
  std::string prefix_;
  std::int64_t timeout_ms_;
  std::uint64_t counter_ = 0;
  std::deque<Ask> queue_;
  std::unordered_map<std::string, Pending> pending_;  // by ping id
  std::deque<std::string> order_;                     // ids in the order sent, for expiry
};

}  // namespace mucstream::xmpp
