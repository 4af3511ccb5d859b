// The message lifecycle after sending: XEP-0308 corrections, XEP-0424 retractions by the
// author and XEP-0425 moderation. Authorship is checked against the room's index of recent
// messages (core/recent_messages.hpp): only the author (same bare JID) corrects or retracts
// their message; moderators (and service administrators) retract anyone's.
#include "core/features.hpp"
#include "core/room_ops.hpp"

namespace mucstream::core::detail {
namespace {

// The message `id` names for `bare_jid`: its stanza-id (anyone's message: the caller checks
// authorship) or one of the author's own client ids. Another author's client id is reported
// as `foreign`, so that naming someone else's message is forbidden rather than unknown.
struct Found {
  const RecentMessage* message = nullptr;
  bool foreign = false;
};
Found find_message(const Room& r, const std::string& id, const std::string& bare_jid) {
  if (const RecentMessage* m = r.recent.by_stanza_id(id)) return {m, false};
  if (const RecentMessage* m = r.recent.by_client_id(id, bare_jid)) return {m, false};
  return {nullptr, r.recent.by_client_id(id, {}) != nullptr};
}

std::optional<Error> check_author(const Found& f, const std::string& bare_jid, const char* what) {
  if (f.message == nullptr && !f.foreign)
    return reject(ErrorCondition::item_not_found, "No recent message of this room has that id");
  if (f.foreign || f.message->bare_jid != bare_jid)
    return reject(ErrorCondition::forbidden, std::string("Only the author may ") + what + " a message");
  return std::nullopt;
}

// A moderator may retract a message older than what the room remembers: the archive may
// hold it. Stanza-ids are UUIDv7, so their time says whether `id` can be such a message:
// from the room's lifetime and older than the oldest remembered message, while the index is
// full (a younger id, or any id while the index holds every message, names nothing).
bool may_be_archived_only(const Room& r, const std::string& id, const Context& ctx) {
  const auto t = uuid_v7_time_ms(id);
  const auto oldest = r.recent.oldest_ms();
  if (!t || !oldest || r.recent.size() < ctx.config.history.recent_per_room) return false;
  return *t >= r.created_ms && *t < *oldest;
}

Decision retract_by_author(const Room& r, const RetractMessage& c, Context& ctx) {
  const std::string from_jid = c.by.jid.full();
  const Occupant* o = r.occupant_by_session_jid(from_jid);
  if (o == nullptr) return Decision::fail(reject(ErrorCondition::not_acceptable, "You are not an occupant of this room"));
  const Found f = find_message(r, c.target, o->bare_jid);
  if (auto e = check_author(f, o->bare_jid, "retract")) return Decision::fail(*e);
  Decision d;
  Emitter em(d, ctx, r);
  const Event& ev = em.emit(r.session_by_jid(from_jid)->id, data::MessageRetracted{.target = f.message->stanza_id});
  // The tombstone is the author's retraction message itself, stamped like any message.
  MessageOut m = room_message(r, *o, MessageKind::groupchat);
  m.payload = c.payload;
  m.stanza_id = ev.id;
  m.time_ms = ctx.now_ms;
  d.deliveries.emplace_back(std::move(m));
  return d;
}

Decision moderate(const Room& r, const RetractMessage& c, Context& ctx) {
  const Actor actor = actor_in(r, c.by);
  if (!actor.service_admin && actor.role != Role::moderator)
    return Decision::fail(reject(ErrorCondition::forbidden, "Only moderators may retract other people's messages"));
  std::string target;
  if (const RecentMessage* m = r.recent.by_stanza_id(c.target)) target = m->stanza_id;
  else if (may_be_archived_only(r, c.target, ctx)) target = c.target;
  else return Decision::fail(reject(ErrorCondition::item_not_found, "No message of this room has that stanza-id"));
  const Occupant* by = c.by.service_admin ? nullptr : r.occupant_by_session_jid(c.by.jid.full());
  Decision d;
  Emitter em(d, ctx, r);
  data::MessageRetracted ret{.target = target, .moderated = true, .by = by_name(c.by), .reason = c.reason};
  if (by != nullptr) ret.by_nick = by->nick;
  const Event& ev = em.emit(actor_session(r, c.by), std::move(ret));
  MessageOut m;
  m.kind = MessageKind::moderation;
  m.to = all_session_jids(r);
  m.room = r.jid;
  if (by != nullptr) {
    m.nick = by->nick;
    m.occupant_id = by->occupant_id;
  }
  m.stanza_id = ev.id;
  m.time_ms = ctx.now_ms;
  m.reason = c.reason;
  m.target = target;
  d.deliveries.emplace_back(std::move(m));
  return d;
}

}  // namespace

Decision decide_correction(const Room& r, const Occupant& author, const SendGroupchat& c, Context& ctx) {
  if (!c.has_body) return Decision::fail(reject(ErrorCondition::bad_request, "A correction carries the new body"));
  const Found f = find_message(r, *c.replaces, author.bare_jid);
  if (auto e = check_author(f, author.bare_jid, "correct")) return Decision::fail(*e);
  const std::string from_jid = c.user.full();
  Decision d;
  Emitter em(d, ctx, r);
  const Event& ev = em.emit(r.session_by_jid(from_jid)->id,
                            data::MessageCorrected{.target = f.message->stanza_id,
                                                   .nick = author.nick,
                                                   .occupant_id = author.occupant_id,
                                                   .jid = from_jid,
                                                   .payload = c.payload,
                                                   .client_id = c.client_id});
  // Relayed like any message, with the correction's own stanza-id.
  MessageOut m = room_message(r, author, MessageKind::groupchat);
  m.payload = c.payload;
  m.stanza_id = ev.id;
  m.time_ms = ctx.now_ms;
  d.deliveries.emplace_back(std::move(m));
  return d;
}

Decision decide_retract(const Service& svc, const RetractMessage& c, Context& ctx) {
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(reject(ErrorCondition::item_not_found, "No such room"));
  if (c.target.empty()) return Decision::fail(reject(ErrorCondition::bad_request, "A retraction names the message's id"));
  return c.moderate ? moderate(*r, c, ctx) : retract_by_author(*r, c, ctx);
}

}  // namespace mucstream::core::detail
