#include "xmpp/presence_cache.hpp"

namespace mucstream::xmpp {

const std::string& PresenceCache::get(const std::string& session_id) const {
  static const std::string empty;
  auto it = map_.find(session_id);
  return it == map_.end() ? empty : it->second;
}

std::string PresenceCache::session_of(const core::Service& svc, const std::string& room, const std::string& full_jid) {
  const core::Room* r = svc.find(room);
  const core::Session* s = r ? r->session_by_jid(full_jid) : nullptr;
  return s ? s->id : std::string{};
}

void PresenceCache::record(const core::Service& after, const std::string& room, const std::string& full_jid,
                           const std::string& session_before, const std::string& payload) {
  std::string sid = session_of(after, room, full_jid);
  if (sid.empty()) sid = session_before;  // the session just left: its last words are relayed once
  if (!sid.empty()) set(sid, payload);
}

void PresenceCache::forget_departed(const core::Decision& d) {
  for (const core::Event& e : d.events)
    if (e.type == core::EventType::occupant_left) erase(e.actor);
}

}  // namespace mucstream::xmpp
