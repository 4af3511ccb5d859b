// Incoming stanzas -> core commands or queries (XEP-0045 §7-§10, XEP-0030, XEP-0199,
// XEP-0410). Errors the wire layer can decide alone (malformed addresses, unknown IQs)
// are answered here; everything about rooms is core's.
#include "xmpp/decoder.hpp"

#include <gloox/tag.h>

#include <charconv>

#include "core/time.hpp"
#include "xmpp/calls.hpp"
#include "xmpp/lifecycle_decode.hpp"
#include "xmpp/room_lifecycle_decode.hpp"
#include "xmpp/xml.hpp"

namespace mucstream::xmpp {
namespace {

using core::ErrorCondition;

std::string child_text(const gloox::Tag& t, const std::string& name) {
  const gloox::Tag* c = child(t, name);
  return c ? c->cdata() : std::string{};
}

std::optional<std::uint32_t> parse_u32(const std::string& s) {
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

core::Error err(ErrorCondition c, std::string text) { return core::make_error(c, std::move(text)); }

Decoded with_error(Decoded d, ErrorCondition c, std::string text) {
  d.error = err(c, std::move(text));
  return d;
}

bool is_muc_x(const gloox::Tag& c) {
  return c.name() == "x" && (c.xmlns() == ns::kMuc || c.xmlns() == ns::kMucUser);
}

// What of a client's presence the room relays: not the MUC elements, not an occupant-id
// (the room issues those), not the room-only mucstream elements (client info, ids).
bool relayed_presence_child(const gloox::Tag& c) {
  return !is_muc_x(c) && c.name() != "occupant-id" && !is_room_only_presence_child(c);
}

// --- presence -------------------------------------------------------------------------

// Read literally: available or unavailable, the nick addressed, the MUC element's
// password and history, the payload. Whether that is a join, an update, a nick change or
// a leave is the room's decision (core::classify_presence).
void decode_presence(const gloox::Tag& t, const core::Jid& to, Decoded& d) {
  const std::string& type = d.env.type;
  core::Presence p;
  p.user = d.from;
  p.room = d.room;
  p.nick = to.resource();
  if (type == "unavailable") {
    p.available = false;
    p.status = child_text(t, "status");
    d.commands.push_back(std::move(p));
    d.presence_payload = children_xml(t, relayed_presence_child);
    return;
  }
  if (type == "error") {
    // The occupant's server bounced something we sent: it is gone (a "ghost"), as Prosody does.
    p.available = false;
    d.commands.push_back(std::move(p));
    d.presence_payload = std::string{};
    return;
  }
  if (!type.empty()) {  // probe, subscribe, ... mean nothing to a room
    d.ignore = true;
    return;
  }
  if (to.resource().empty()) {
    d.error = err(ErrorCondition::jid_malformed, "A nickname is required: join room@service/nick");
    return;
  }
  d.presence_payload = children_xml(t, relayed_presence_child);
  if (auto media = decode_media_presence(t, d.from, d.room)) d.observations.push_back(std::move(*media));
  p.client = decode_client_info(t);
  if (const gloox::Tag* x = child(t, "x", ns::kMuc)) {
    p.muc_x = true;
    if (const gloox::Tag* pw = child(*x, "password")) p.password = pw->cdata();
    if (const gloox::Tag* h = child(*x, "history")) {
      auto num = [&](const char* name, std::optional<std::uint32_t>& out) -> bool {
        if (!h->hasAttribute(name)) return true;
        out = parse_u32(h->findAttribute(name));
        return out.has_value();
      };
      if (!num("maxchars", p.history.max_chars) || !num("maxstanzas", p.history.max_stanzas) ||
          !num("seconds", p.history.seconds)) {
        d.error = err(ErrorCondition::bad_request, "Invalid history request");
        return;
      }
      if (h->hasAttribute("since")) {
        p.history.since_ms = core::parse_time(h->findAttribute("since"));
        if (!p.history.since_ms) {
          d.error = err(ErrorCondition::bad_request, "Invalid history 'since' date");
          return;
        }
      }
    }
  }
  d.commands.push_back(std::move(p));
}

// --- message --------------------------------------------------------------------------

// What a client may not put into a reflected message: the room's own stanza-id and
// occupant-id (XEP-0359 §4 and XEP-0421 §4 say the room strips them) and MUC user data.
bool keep_in_message(const gloox::Tag& c, const std::string& room) {
  if (c.name() == "stanza-id" && c.xmlns() == ns::kSid && c.findAttribute("by") == room) return false;
  if (c.name() == "occupant-id" && c.xmlns() == ns::kOccupantId) return false;
  if (c.name() == "x" && c.xmlns() == ns::kMucUser) return false;
  return true;
}

void decode_message(const gloox::Tag& t, const core::Jid& to, Decoded& d) {
  const std::string& type = d.env.type;
  if (type == "error") {
    d.ignore = true;
    return;
  }
  if (!to.resource().empty()) {  // to an occupant: a private message (§7.5)
    if (type == "groupchat") {
      d.error = err(ErrorCondition::bad_request, "Groupchat messages go to the room, not to an occupant");
      return;
    }
    const std::string room = d.room;
    d.commands.push_back(core::SendPrivate{d.from, d.room, to.resource(),
                                           children_xml(t, [&](const gloox::Tag& c) { return keep_in_message(c, room); }),
                                           child(t, "body") != nullptr});
    if (auto cs = decode_chat_state(t, d.from, d.room, to.resource())) d.observations.push_back(std::move(*cs));
    return;
  }
  if (type == "groupchat") {
    const gloox::Tag* subject = child(t, "subject");
    const gloox::Tag* body = child(t, "body");
    if (subject != nullptr && body == nullptr) {  // §8.1
      d.commands.push_back(core::ChangeSubject{d.from, d.room, subject->cdata()});
      return;
    }
    const std::string room = d.room;
    std::string payload = children_xml(t, [&](const gloox::Tag& c) { return keep_in_message(c, room); });
    // XEP-0424 / XEP-0425 (:0 in a message): a retraction is not a new message.
    if (auto r = retract_in_message(t)) {
      const core::Requester by = core::Requester::user(d.from);
      d.commands.push_back(core::RetractMessage{by, d.room, std::move(r->id), r->moderate, std::move(r->reason),
                                                r->moderate ? std::string{} : std::move(payload)});
      return;
    }
    core::SendGroupchat g{d.from, d.room, std::move(payload), body != nullptr, has_no_store_hint(t)};
    g.client_id = client_id_of(t);
    g.replaces = replaced_id(t);  // XEP-0308: the core checks the author and the id
    d.commands.push_back(std::move(g));
    if (auto cs = decode_chat_state(t, d.from, d.room, std::nullopt)) d.observations.push_back(std::move(*cs));
    // XEP-0301: relayed like any payload (no body: no history, no message_sent); the
    // first init/new and a cancel switch the session's real-time text on and off.
    if (auto rtt = decode_rtt(t)) d.observations.push_back(core::SetRtt{d.from, d.room, *rtt});
    return;
  }
  // A normal message to the room: a mediated invitation (§7.8.2).
  if (const gloox::Tag* x = child(t, "x", ns::kMucUser)) {
    if (const gloox::Tag* inv = child(*x, "invite")) {
      auto parsed = core::Jid::parse(inv->findAttribute("to"));
      if (!std::holds_alternative<core::Jid>(parsed)) {
        d.error = err(ErrorCondition::jid_malformed, "The invitation needs a valid 'to' address");
        return;
      }
      core::Invite i;
      i.user = d.from;
      i.room = d.room;
      i.invitee = std::get<core::Jid>(parsed);
      i.reason = child_text(*inv, "reason");
      i.password = child_text(*x, "password");
      d.commands.push_back(std::move(i));
      return;
    }
    if (auto decline = decode_decline(*x, d.from, d.room)) {
      if (auto* e = std::get_if<core::Error>(&*decline)) d.error = *e;
      else d.commands.push_back(std::get<core::DeclineInvitation>(*decline));
      return;
    }
  }
  if (auto voice = decode_voice_form(t, d.from, d.room)) {  // §7.13
    if (voice->error) d.error = *voice->error;
    else if (voice->command) d.commands.push_back(std::move(*voice->command));
    else d.ignore = true;  // a moderator denied the request: nothing to tell anyone
    return;
  }
  d.error = err(ErrorCondition::bad_request, "Messages to a room must be of type groupchat");
}

// --- iq -------------------------------------------------------------------------------

void decode_admin(const gloox::Tag& q, const DecodeContext& ctx, Decoded& d) {
  const bool get = d.env.type == "get";
  std::vector<const gloox::Tag*> items;
  for (const gloox::Tag* c : q.children())
    if (c->name() == "item") items.push_back(c);
  if (items.empty()) {
    d.error = err(ErrorCondition::bad_request, "An item is required");
    return;
  }
  if (get) {
    const gloox::Tag& it = *items.front();
    Query query;
    query.room = d.room;
    if (it.hasAttribute("affiliation")) {
      auto a = core::affiliation_from_string(it.findAttribute("affiliation"));
      if (!a || *a == core::Affiliation::none) {
        d.error = err(ErrorCondition::bad_request, "Unknown affiliation");
        return;
      }
      query.what = Query::What::affiliation_list;
      query.affiliation = *a;
    } else if (it.hasAttribute("role")) {
      auto r = core::role_from_string(it.findAttribute("role"));
      if (!r || *r == core::Role::none) {
        d.error = err(ErrorCondition::bad_request, "Unknown role");
        return;
      }
      query.what = Query::What::role_list;
      query.role = *r;
    } else {
      d.error = err(ErrorCondition::bad_request, "The item needs an affiliation or a role");
      return;
    }
    d.query = query;
    return;
  }
  const core::Requester by = core::Requester::user(d.from);
  const core::Room* room = ctx.service.find(d.room);
  for (const gloox::Tag* it : items) {
    const std::string reason = child_text(*it, "reason");
    if (it->hasAttribute("role")) {
      auto r = core::role_from_string(it->findAttribute("role"));
      if (!r || !it->hasAttribute("nick")) {
        d.error = err(ErrorCondition::bad_request, "A role change needs a valid role and a nick");
        return;
      }
      d.commands.push_back(core::SetRole{by, d.room, it->findAttribute("nick"), *r, reason});
    } else if (it->hasAttribute("affiliation")) {
      auto a = core::affiliation_from_string(it->findAttribute("affiliation"));
      if (!a) {
        d.error = err(ErrorCondition::bad_request, "Unknown affiliation");
        return;
      }
      core::Jid target;
      if (it->hasAttribute("jid")) {
        auto parsed = core::Jid::parse(it->findAttribute("jid"));
        if (!std::holds_alternative<core::Jid>(parsed)) {
          d.error = err(ErrorCondition::jid_malformed, "Invalid JID in item");
          return;
        }
        target = std::get<core::Jid>(parsed).bare_jid();
      } else if (it->hasAttribute("nick") && room != nullptr) {  // an admin naming an occupant by nick
        const core::Occupant* o = room->occupant_by_nick(it->findAttribute("nick"));
        if (o == nullptr) {
          d.error = err(ErrorCondition::item_not_found, "No occupant with that nickname");
          return;
        }
        auto parsed = core::Jid::parse(o->bare_jid);
        if (std::holds_alternative<core::Jid>(parsed)) target = std::get<core::Jid>(parsed);
      } else {
        d.error = err(ErrorCondition::bad_request, "An affiliation change needs a jid");
        return;
      }
      d.commands.push_back(core::SetAffiliation{by, d.room, target, *a, reason});
    } else {
      d.error = err(ErrorCondition::bad_request, "The item needs an affiliation or a role");
      return;
    }
  }
}

void decode_owner(const gloox::Tag& q, Decoded& d) {
  const core::Requester by = core::Requester::user(d.from);
  if (d.env.type == "get") {
    Query query;
    query.what = Query::What::config_form;
    query.room = d.room;
    d.query = query;
    return;
  }
  if (const gloox::Tag* destroy = child(q, "destroy")) {
    d.commands.push_back(core::DestroyRoom{by, d.room, child_text(*destroy, "reason"), destroy->findAttribute("jid"),
                                           destroy_purges(*destroy)});
    return;
  }
  const gloox::Tag* x = child(q, "x", ns::kData);
  if (x == nullptr) {
    d.error = err(ErrorCondition::bad_request, "Expected a data form or destroy");
    return;
  }
  const std::string& form_type = x->findAttribute("type");
  if (form_type == "cancel") {
    d.commands.push_back(core::CancelConfiguration{by, d.room});
    return;
  }
  if (form_type != "submit") {
    d.error = err(ErrorCondition::bad_request, "The configuration form must be submitted or cancelled");
    return;
  }
  core::Configure c{by, d.room, {}};
  if (auto e = decode_config_form(*x, c.change)) {
    d.error = *e;
    return;
  }
  d.commands.push_back(std::move(c));
}

void decode_iq(const gloox::Tag& t, const core::Jid& to, const DecodeContext& ctx, Decoded& d) {
  const std::string& type = d.env.type;
  if (type == "result" || type == "error") {
    // Answers to IQs the room routed to an occupant come back addressed to the asking
    // occupant's room JID; anything else is not ours to answer.
    if (!d.room.empty() && !to.resource().empty()) {
      Query query;
      query.what = Query::What::occupant_iq_response;
      query.room = d.room;
      query.nick = to.resource();
      d.query = query;
    } else {
      d.ignore = true;
    }
    return;
  }
  if (type != "get" && type != "set") {
    d.error = err(ErrorCondition::bad_request, "Unknown IQ type");
    return;
  }
  const gloox::Tag* q = nullptr;
  for (const gloox::Tag* c : t.children()) {
    if (q != nullptr) {
      d.error = err(ErrorCondition::bad_request, "An IQ carries exactly one payload");
      return;
    }
    q = c;
  }
  if (q == nullptr) {
    d.error = err(ErrorCondition::bad_request, "An IQ carries exactly one payload");
    return;
  }
  const std::string qns = q->xmlns();
  const bool get = type == "get";
  auto answer = [&](Query::What w) {
    Query query;
    query.what = w;
    query.room = d.room;
    query.nick = to.resource();
    d.query = query;
  };
  if (!to.resource().empty()) {  // room/nick
    if (get && q->name() == "ping" && qns == ns::kPing) answer(Query::What::self_ping);
    else answer(Query::What::occupant_iq);
    // Jingle between occupants: routed unchanged like any IQ, and observed for call events.
    // Malformed Jingle is the recipient's to refuse (XEP-0166 §8), so it is still routed.
    if (!get && q->name() == "jingle" && qns == ns::kJingle && !d.room.empty()) {
      d.jingle = decode_jingle(*q, d.from, d.room, to.resource(), ctx.jingle);
      if (d.jingle && d.jingle->observe) d.observations.push_back(*d.jingle->observe);
    }
    return;
  }
  if (get && q->name() == "ping" && qns == ns::kPing) return answer(Query::What::ping);
  if (get && q->name() == "query" && qns == ns::kDiscoInfo) {
    if (q->hasAttribute("node")) {
      d.error = err(ErrorCondition::item_not_found, "No such node");
      return;
    }
    return answer(d.room.empty() ? Query::What::service_info : Query::What::room_info);
  }
  if (get && q->name() == "query" && qns == ns::kDiscoItems) {
    if (q->hasAttribute("node")) {
      d.error = err(ErrorCondition::item_not_found, "No such node");
      return;
    }
    return answer(d.room.empty() ? Query::What::service_items : Query::What::room_items);
  }
  if (!d.room.empty() && q->name() == "query" && qns == ns::kMucAdmin) return decode_admin(*q, ctx, d);
  if (!d.room.empty() && q->name() == "query" && qns == ns::kMucOwner) return decode_owner(*q, d);
  if (!d.room.empty() && !get) {  // XEP-0425 moderation
    if (auto m = moderation_iq(*q)) {
      if (auto* e = std::get_if<core::Error>(&*m)) {
        d.error = *e;
        return;
      }
      auto& r = std::get<RetractRequest>(*m);
      d.commands.push_back(core::RetractMessage{core::Requester::user(d.from), d.room, std::move(r.id), true,
                                                std::move(r.reason), {}});
      return;
    }
  }
  if (!d.room.empty() && is_mam_request(*q)) {
    auto r = decode_mam(*q, type, d.room);
    if (auto* e = std::get_if<core::Error>(&r)) d.error = *e;
    else d.mam = std::move(std::get<MamRequest>(r));
    return;
  }
  if (!d.room.empty() && !get && q->name() == "stats" && qns == ns::kMucstreamStats) {
    std::string sid;
    auto figures = decode_stats(*q, sid);
    if (auto* e = std::get_if<core::Error>(&figures)) {
      d.error = *e;
      return;
    }
    d.commands.push_back(core::ReportP2PStats{d.from, d.room, sid, std::move(std::get<core::Value>(figures))});
    return;
  }
  d.error = err(ErrorCondition::service_unavailable, "This request is not supported here");
}

}  // namespace

std::optional<core::Error> decode_config_form(const gloox::Tag& x, core::ConfigChange& out) {
  for (const gloox::Tag* f : x.children()) {
    if (f->name() != "field") continue;
    const std::string& var = f->findAttribute("var");
    const gloox::Tag* vt = child(*f, "value");
    const std::string value = vt ? vt->cdata() : std::string{};
    auto boolean = [&](std::optional<bool>& dst) -> std::optional<core::Error> {
      if (value == "1" || value == "true") dst = true;
      else if (value == "0" || value == "false") dst = false;
      else return err(ErrorCondition::bad_request, "Field " + var + " must be a boolean");
      return std::nullopt;
    };
    auto number = [&](std::optional<std::uint32_t>& dst, bool none_is_zero) -> std::optional<core::Error> {
      if (none_is_zero && (value.empty() || value == "none" || value == "0")) {
        dst = 0;
        return std::nullopt;
      }
      dst = parse_u32(value);
      if (!dst) return err(ErrorCondition::not_acceptable, "Field " + var + " must be a whole number");
      return std::nullopt;
    };
    std::optional<core::Error> e;
    if (var == "muc#roomconfig_roomname") out.name = value;
    else if (var == "muc#roomconfig_roomdesc") out.description = value;
    else if (var == "muc#roomconfig_persistentroom") e = boolean(out.persistent);
    else if (var == "muc#roomconfig_publicroom") e = boolean(out.is_public);
    else if (var == "muc#roomconfig_membersonly") e = boolean(out.members_only);
    else if (var == "muc#roomconfig_moderatedroom") e = boolean(out.moderated);
    else if (var == "muc#roomconfig_passwordprotectedroom") e = boolean(out.password_protected);
    else if (var == "muc#roomconfig_roomsecret") {
      if (!value.empty()) out.password = value;
    } else if (var == "muc#roomconfig_maxusers") e = number(out.max_occupants, true);
    else if (var == "muc#roomconfig_historylength" || var == "muc#maxhistoryfetch") e = number(out.history_length, false);
    else if (var == "muc#roomconfig_whois") {
      if (value == "anyone") out.whois = core::Whois::anyone;
      else if (value == "moderators") out.whois = core::Whois::moderators;
      else e = err(ErrorCondition::not_acceptable, "muc#roomconfig_whois must be moderators or anyone");
    } else if (var == "muc#roomconfig_changesubject") e = boolean(out.occupants_may_change_subject);
    else if (var == "muc#roomconfig_allowinvites") e = boolean(out.occupants_may_invite);
    else if (var == "muc#roomconfig_allowpm") out.allow_private_messages = !(value == "none" || value == "0" || value == "false");
    else if (var == "muc#roomconfig_locked") e = boolean(out.locked);
    else if (var == "muc#roomconfig_enablearchiving") e = boolean(out.enable_archiving);  // as Prosody names it
    else if (var == kVarRecordChatStates) e = boolean(out.record_chat_states);
    else if (var == kVarInviteGrantsMembership) e = boolean(out.invite_grants_membership);
    if (e) return e;
  }
  return std::nullopt;
}

Decoded decode(const gloox::Tag& t, const DecodeContext& ctx) {
  Decoded d;
  const std::string& name = t.name();
  d.env.kind = name == "message"    ? StanzaKind::message
               : name == "presence" ? StanzaKind::presence
               : name == "iq"       ? StanzaKind::iq
                                    : StanzaKind::other;
  d.env.type = t.findAttribute("type");
  d.env.id = t.findAttribute("id");
  d.env.from = t.findAttribute("from");
  d.env.to = t.findAttribute("to");
  if (d.env.kind == StanzaKind::other) {
    d.ignore = true;
    return d;
  }
  auto from = core::Jid::parse(d.env.from);
  if (!std::holds_alternative<core::Jid>(from)) {  // the server checks senders; nothing to answer
    d.ignore = true;
    return d;
  }
  d.from = std::get<core::Jid>(from);
  auto to = core::Jid::parse(d.env.to);
  if (!std::holds_alternative<core::Jid>(to)) {
    if (d.env.kind == StanzaKind::presence && d.env.type == "unavailable") d.ignore = true;
    return with_error(std::move(d), ErrorCondition::jid_malformed, "Malformed address");
  }
  const core::Jid& to_jid = std::get<core::Jid>(to);
  if (to_jid.domain() != ctx.domain) {
    // ejabberd routes every domain of a multi-host ejabberd_service listener to each
    // component connection: answer instead of dropping it silently.
    if (d.env.type == "error" || d.env.type == "result" || d.env.type == "unavailable") d.ignore = true;
    else d.error = err(ErrorCondition::service_unavailable, "This component does not serve " + to_jid.domain());
    return d;
  }
  if (!to_jid.node().empty()) d.room = to_jid.bare();
  switch (d.env.kind) {
    case StanzaKind::presence:
      if (d.room.empty()) {
        d.ignore = true;  // presence to the service itself
        return d;
      }
      decode_presence(t, to_jid, d);
      break;
    case StanzaKind::message:
      if (d.room.empty()) {
        if (d.env.type == "error") d.ignore = true;
        else d.error = err(ErrorCondition::service_unavailable, "The service does not take messages");
        return d;
      }
      decode_message(t, to_jid, d);
      break;
    case StanzaKind::iq: decode_iq(t, to_jid, ctx, d); break;
    case StanzaKind::other: break;
  }
  return d;
}

}  // namespace mucstream::xmpp
