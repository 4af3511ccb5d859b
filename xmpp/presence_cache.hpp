#pragma once
// The last presence payload (show, status, caps ... as XML) each session sent, by session
// id: what the renderer relays for PresenceOut.session_id. The room loop records a
// presence's payload after each of its decisions and forgets a session once its
// departure has been rendered (so its last words are relayed exactly once).
#include <string>
#include <unordered_map>

#include "core/decision.hpp"
#include "core/state.hpp"

namespace mucstream::xmpp {

class PresenceCache {
 public:
  void set(const std::string& session_id, std::string payload) { map_[session_id] = std::move(payload); }
  void erase(const std::string& session_id) { map_.erase(session_id); }
  const std::string& get(const std::string& session_id) const;
  std::size_t size() const { return map_.size(); }

  // The session `full_jid` has in `room` ("" when it has none).
  static std::string session_of(const core::Service&, const std::string& room, const std::string& full_jid);

  // After a decision on a presence from `full_jid` to `room`: keep `payload` for the
  // sender's session in the state `after` it, or for `session_before` when the sender
  // just left (its unavailable presence still relays it once). Nothing when neither.
  void record(const core::Service& after, const std::string& room, const std::string& full_jid,
              const std::string& session_before, const std::string& payload);

  // After rendering `d`: forget the sessions that left in it.
  void forget_departed(const core::Decision& d);

 private:
  std::unordered_map<std::string, std::string> map_;
};

}  // namespace mucstream::xmpp
