#include "xmpp/occupant_iq.hpp"

#include <gloox/tag.h>

#include "xmpp/xml.hpp"

namespace mucstream::xmpp {
namespace {

std::string rewritten(const std::string& type, const std::string& from, const std::string& to, const std::string& id,
                      const gloox::Tag& iq) {
  std::string s = "<iq type='";
  append_escaped(s, type);
  s += "' from='";
  append_escaped(s, from);
  s += "' to='";
  append_escaped(s, to);
  s += "' id='";
  append_escaped(s, id);
  s += "'>";
  s += children_xml(iq, [](const gloox::Tag&) { return true; });
  s += "</iq>";
  return s;
}

}  // namespace

std::optional<std::string> OccupantIqRouter::route(const core::Service& svc, const Decoded& d, const gloox::Tag& iq,
                                                   std::int64_t now_ms) {
  const core::Room* r = svc.find(d.room);
  if (r == nullptr || !d.query) return std::nullopt;
  const core::Occupant* me = r->occupant_by_session_jid(d.from.full());
  if (me == nullptr) return std::nullopt;
  auto prepared = core::prepare_nick(d.query->nick);
  if (!std::holds_alternative<std::string>(prepared)) return std::nullopt;
  const core::Occupant* target = r->occupant_by_nick(std::get<std::string>(prepared));
  if (target == nullptr || target == me || target->sessions.empty()) return std::nullopt;
  if (pending_.size() > kSweepAbove)
    std::erase_if(pending_, [&](const auto& kv) { return now_ms - kv.second.at_ms > kForgetAfterMs; });
  const std::string id = prefix_ + std::to_string(++counter_);
  const std::string& to = target->sessions.back().full_jid;
  pending_[id] = Pending{d.env.from, d.env.id, to, r->jid + "/" + target->nick, now_ms};
  return rewritten(d.env.type, r->jid + "/" + me->nick, to, id, iq);
}

std::optional<std::string> OccupantIqRouter::answer(const Decoded& d, const gloox::Tag& iq) {
  auto it = pending_.find(d.env.id);
  if (it == pending_.end() || it->second.responder != d.env.from) return std::nullopt;  // unknown or spoofed
  const Pending p = std::move(it->second);
  pending_.erase(it);
  return rewritten(d.env.type, p.responder_room_jid, p.requester, p.request_id, iq);
}

}  // namespace mucstream::xmpp
