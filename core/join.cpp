// XEP-0045 §7.2: entering a room, creating it when it does not exist (§10.1).
#include <algorithm>

#include "core/client_info.hpp"
#include "core/features.hpp"
#include "core/nick_skeleton.hpp"
#include "core/room_ops.hpp"

namespace mucstream::core::detail {
namespace {

// §7.2.15 history management: the newest entries that satisfy every limit the client set.
std::vector<const HistoryEntry*> select_history(const Room& r, const HistoryRequest& h, std::int64_t now_ms) {
  std::vector<const HistoryEntry*> picked;
  std::size_t chars = 0;
  for (auto it = r.history.rbegin(); it != r.history.rend(); ++it) {
    if (h.max_stanzas && picked.size() >= *h.max_stanzas) break;
    if (h.seconds && it->time_ms < now_ms - static_cast<std::int64_t>(*h.seconds) * 1000) break;
    if (h.since_ms && it->time_ms <= *h.since_ms) break;
    chars += it->payload.size();
    if (h.max_chars && chars > *h.max_chars) break;
    picked.push_back(&*it);
  }
  return {picked.rbegin(), picked.rend()};
}

void deliver_history_and_subject(Decision& d, const Room& r, const std::string& to, Role role,
                                 const HistoryRequest& h, std::int64_t now_ms) {
  const bool see_jids = may_see_real_jids(role, r.config.whois == Whois::anyone);
  for (const HistoryEntry* e : select_history(r, h, now_ms)) {
    MessageOut m;
    m.kind = MessageKind::history;
    m.to = {to};
    m.room = r.jid;
    m.nick = e->nick;
    m.payload = e->payload;
    m.stanza_id = e->stanza_id;
    m.occupant_id = e->occupant_id;
    if (see_jids) m.from_jid = e->from_jid;
    m.time_ms = e->time_ms;
    d.deliveries.emplace_back(std::move(m));
  }
  MessageOut s;  // §7.2.16: the subject always comes last, even when empty
  s.kind = MessageKind::subject;
  s.to = {to};
  s.room = r.jid;
  s.nick = r.subject_nick;
  s.subject = r.subject;
  d.deliveries.emplace_back(std::move(s));
}

std::vector<int> self_codes(const Room& r, bool created, bool nick_modified) {
  std::vector<int> codes;
  if (r.config.whois == Whois::anyone) codes.push_back(status::kNonAnonymous);
  codes.push_back(status::kSelf);
  // Every groupchat message becomes a stored event (message_sent with its payload): the
  // room is logged, and XEP-0045 §7.2.12 says to tell the user on entering.
  codes.push_back(status::kLogged);
  if (created) codes.push_back(status::kRoomCreated);
  if (nick_modified) codes.push_back(status::kNickModified);
  return codes;
}

data::OccupantJoined joined_data(const Join& c, const Value& client, const std::string& nick, Role role, Affiliation aff,
                                 const std::string& occupant_id) {
  return data::OccupantJoined{.nick = nick,
                              .jid = c.user.full(),
                              .bare_jid = c.user.bare(),
                              .role = role,
                              .affiliation = aff,
                              .occupant_id = occupant_id,
                              .client = client};
}

bool may_create_rooms(const ServiceConfig& cfg, const std::string& bare_jid) {
  if (!cfg.only_admins_create_rooms) return true;
  return std::find(cfg.admins.begin(), cfg.admins.end(), bare_jid) != cfg.admins.end();
}

Decision create_room(const Service& svc, const Join& c, const std::string& nick, Context& ctx) {
  if (!may_create_rooms(ctx.config, c.user.bare()))
    return Decision::fail(reject(ErrorCondition::not_allowed, "Room creation is restricted on this service"));
  if (svc.rooms.size() >= ctx.config.max_rooms)
    return Decision::fail(reject(ErrorCondition::resource_constraint, "Too many rooms on this service"));
  Decision d;
  Room r;  // the room as it will look after the events, to render the deliveries
  r.jid = c.room;
  r.room_id = ctx.ids.next_id(ctx.now_ms);
  r.occupant_id_salt = to_hex(ctx.ids.random_bytes(16));
  r.config = ctx.config.default_room;
  r.awaiting_configuration = ctx.config.lock_new_rooms;
  r.affiliations[c.user.bare()] = {Affiliation::owner, {}};
  const std::string session = ctx.ids.next_id(ctx.now_ms);
  const Value client = sanitize_client_info(c.client);  // see client_info.hpp
  Emitter e(d, ctx, r);
  e.emit(session, data::RoomCreated{.creator = c.user.bare(),
                                    .config = r.config,
                                    .awaiting_configuration = r.awaiting_configuration,
                                    .occupant_id_salt = r.occupant_id_salt,
                                    .by = std::nullopt});
  Occupant o{nick, c.user.bare(), occupant_id_for(ctx.crypto, r.occupant_id_salt, c.user.bare()), Role::moderator,
             {Session{session, c.user.full(), ctx.now_ms, client, {}}}};
  e.emit(session, joined_data(c, client, nick, o.role, Affiliation::owner, o.occupant_id));
  PresenceOut self = presence_of(r, o, c.user.full(), o.role);
  self.real_jid = c.user.full();
  self.status = self_codes(r, true, false);
  d.deliveries.emplace_back(std::move(self));
  deliver_history_and_subject(d, r, c.user.full(), o.role, c.history, ctx.now_ms);
  return d;
}

// Re-sending a join from a session already in the room under the same nick: the client
// lost track (e.g. after a stream resumption); send it the room state again (Prosody does).
Decision resync(const Room& r, const Occupant& me, const Join& c, Context& ctx) {
  Decision d;
  const std::string to = c.user.full();
  for (const auto& [nick, o] : r.occupants)
    if (nick != me.nick) d.deliveries.emplace_back(presence_of(r, o, to, me.role));
  PresenceOut self = presence_of(r, me, to, me.role);
  self.status = self_codes(r, false, false);
  d.deliveries.emplace_back(std::move(self));
  deliver_history_and_subject(d, r, to, me.role, c.history, ctx.now_ms);
  return d;
}

}  // namespace

Decision decide_join(const Service& svc, const Join& c, Context& ctx) {
  auto prepared = prepare_nick(c.nick);
  if (auto* err = std::get_if<JidError>(&prepared))
    return Decision::fail(reject(ErrorCondition::jid_malformed, std::string("Invalid nickname: ") + describe(*err)));
  const std::string& nick = std::get<std::string>(prepared);
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return create_room(svc, c, nick, ctx);

  if (const Occupant* me = r->occupant_by_session_jid(c.user.full())) {
    if (me->nick == nick) return resync(*r, *me, c, ctx);
    return change_nick(*r, *me, nick, ctx);
  }

  const std::string bare = c.user.bare();
  const Affiliation aff = r->affiliation_of(bare);
  const Occupant* holder = r->occupant_by_nick(nick);
  // The checks in the order XEP-0045 §7.2 lists them.
  if (r->awaiting_configuration && aff != Affiliation::owner)
    return Decision::fail(reject(ErrorCondition::item_not_found, "This room is locked until its owner configures it"));
  if (aff == Affiliation::outcast) return Decision::fail(reject(ErrorCondition::forbidden, "You are banned from this room"));
  if (holder != nullptr && holder->bare_jid != bare)
    return Decision::fail(reject(ErrorCondition::conflict, "That nickname is already in use"));
  if (holder == nullptr && r->look_alike(nick_skeleton(nick), bare) != nullptr)
    return Decision::fail(reject(ErrorCondition::conflict, "That nickname looks like one already in use"));
  if (r->config.members_only && aff < Affiliation::member)
    return Decision::fail(reject(ErrorCondition::registration_required, "This room is for members only"));
  if (r->locked && !may_bypass_lock(aff))
    return Decision::fail(reject(ErrorCondition::not_allowed, "This room is locked"));
  if (r->config.password_protected() && (!c.password || !ctx.crypto.verify_password(*c.password, r->config.password_hash)))
    return Decision::fail(reject(ErrorCondition::not_authorized, "A correct password is required to enter this room"));
  if (holder == nullptr && r->config.max_occupants != 0 && r->occupants.size() >= r->config.max_occupants &&
      !may_bypass_max_occupants(aff))
    return Decision{{}, {}, Error{ErrorCondition::service_unavailable, ErrorType::wait, "This room is full"}};

  Decision d;
  Emitter e(d, ctx, *r);
  const std::string session = ctx.ids.next_id(ctx.now_ms);
  Occupant me = holder ? *holder
                       : Occupant{nick, bare, occupant_id_for(ctx.crypto, r->occupant_id_salt, bare),
                                  default_role(aff, r->config.moderated), {}};
  // Client info becomes a users row: only known, bounded fields (see client_info.hpp).
  const Value client = sanitize_client_info(c.client);
  me.sessions.push_back(Session{session, c.user.full(), ctx.now_ms, client, {}});
  e.emit(session, joined_data(c, client, nick, me.role, aff, me.occupant_id));

  const std::string to = c.user.full();
  // §7.2.3: existing occupants' presence to the newcomer first ...
  for (const auto& [n, o] : r->occupants)
    if (n != nick) d.deliveries.emplace_back(presence_of(*r, o, to, me.role));
  // ... then the newcomer's presence to everyone already there ...
  for (const auto& rc : recipients(*r)) {
    PresenceOut p = presence_of(*r, me, *rc.full_jid, rc.occupant->role);
    if (rc.occupant->nick == nick) p.status.push_back(status::kSelf);
    d.deliveries.emplace_back(std::move(p));
  }
  // ... and self-presence last, then history and subject (§7.2.14-16).
  PresenceOut self = presence_of(*r, me, to, me.role);
  self.status = self_codes(*r, false, false);
  d.deliveries.emplace_back(std::move(self));
  deliver_history_and_subject(d, *r, to, me.role, c.history, ctx.now_ms);
  return d;
}

}  // namespace mucstream::core::detail
