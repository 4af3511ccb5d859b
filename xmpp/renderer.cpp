#include "xmpp/renderer.hpp"

#include <algorithm>

#include "core/time.hpp"
#include "xmpp/room_lifecycle_render.hpp"
#include "xmpp/xml.hpp"

namespace mucstream::xmpp {
namespace {

void attr(std::string& out, std::string_view name, std::string_view value) { append_attr(out, name, value); }

void from_attr(std::string& out, const std::string& room, const std::string& nick) {
  out += " from='";
  append_escaped(out, room);
  if (!nick.empty()) {
    out += '/';
    append_escaped(out, nick);
  }
  out += '\'';
}

void text_element(std::string& out, std::string_view name, std::string_view text) {
  out += '<';
  out += name;
  if (text.empty()) {
    out += "/>";
    return;
  }
  out += '>';
  append_escaped(out, text);
  out += "</";
  out += name;
  out += '>';
}

void status_codes(std::string& out, const std::vector<int>& codes) {
  for (int c : codes) {
    out += "<status code='";
    out += std::to_string(c);
    out += "'/>";
  }
}

void occupant_id(std::string& out, const std::string& id) {
  if (id.empty()) return;
  out += "<occupant-id xmlns='urn:xmpp:occupant-id:0'";
  attr(out, "id", id);
  out += "/>";
}

void stanza_id(std::string& out, const std::string& id, const std::string& room) {
  if (id.empty()) return;
  out += "<stanza-id xmlns='urn:xmpp:sid:0'";
  attr(out, "id", id);
  attr(out, "by", room);
  out += "/>";
}

// The ids a client needs for analytics and telemetry. A self-presence (110) names
// the recipient's own session (an occupant may be joined from several); any other presence
// names the session whose presence it is. The room id is absent once the room is gone.
void session_ids(std::string& out, const core::PresenceOut& p, const core::Service& svc,
                 const TelemetryTokenSource* token) {
  const core::Room* r = svc.find(p.room);
  const bool self = std::find(p.status.begin(), p.status.end(), core::status::kSelf) != p.status.end();
  const core::Session* own = self && r != nullptr ? r->session_by_jid(p.to) : nullptr;
  const std::string& session = own != nullptr ? own->id : p.session_id;
  if (session.empty() && r == nullptr) return;
  out += "<session xmlns='urn:xmpp:mucstream:0'";
  if (!session.empty()) attr(out, "id", session);
  if (r != nullptr) attr(out, "room-id", r->room_id);
  out += "/>";
  if (own != nullptr && p.available && token != nullptr && *token) {
    const std::string t = (*token)(own->id, r->room_id);
    if (!t.empty()) {
      out += "<telemetry xmlns='urn:xmpp:mucstream:0'";
      attr(out, "token", t);
      out += "/>";
    }
  }
}

void put_all(Output& o, const std::string& head, const std::vector<std::string>& to, const std::string& tail) {
  std::string esc;
  for (const std::string& t : to) {
    if (t.find_first_of("&<>'\"") == std::string::npos) {
      o.put(head, t, tail);
    } else {
      esc.clear();
      append_escaped(esc, t);
      o.put(head, esc, tail);
    }
  }
}

// XEP-0425 §4: the room's retraction of `m.target`, in the current form (XEP-0424 :1 with
// <moderated/>) and in the :0 fastening form that older clients (Conversations, Gajim)
// still read, with a fallback body for clients that know neither.
void render_moderation(std::string& tail, const core::MessageOut& m) {
  std::string by = m.room;
  if (!m.nick.empty()) by += '/' + m.nick;
  from_attr(tail, m.room, {});
  tail += " type='groupchat'";
  attr(tail, "id", m.stanza_id);
  tail += "><retract xmlns='urn:xmpp:message-retract:1'";
  attr(tail, "id", m.target);
  tail += "><moderated xmlns='urn:xmpp:message-moderate:1'";
  attr(tail, "by", by);
  if (m.occupant_id.empty()) {
    tail += "/>";
  } else {
    tail += '>';
    occupant_id(tail, m.occupant_id);
    tail += "</moderated>";
  }
  if (!m.reason.empty()) text_element(tail, "reason", m.reason);
  tail += "</retract><apply-to xmlns='urn:xmpp:fasten:0'";
  attr(tail, "id", m.target);
  tail += "><moderated xmlns='urn:xmpp:message-moderate:0'";
  attr(tail, "by", by);
  tail += "><retract xmlns='urn:xmpp:message-retract:0'/>";
  if (!m.reason.empty()) text_element(tail, "reason", m.reason);
  tail += "</moderated></apply-to>";
  text_element(tail, "body", m.reason.empty() ? "This message has been retracted by a moderator"
                                              : "This message has been retracted by a moderator: " + m.reason);
  tail += "<fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:message-retract:1'/><store xmlns='urn:xmpp:hints'/>";
  stanza_id(tail, m.stanza_id, m.room);
  tail += "</message>";
}

}  // namespace

void StringOutput::put(std::string_view head, std::string_view to, std::string_view tail) {
  std::string s;
  s.reserve(head.size() + to.size() + tail.size());
  s.append(head).append(to).append(tail);
  stanzas.push_back(std::move(s));
}

void Renderer::render(const core::Delivery& d, const PresenceCache& cache, const RenderContext& ctx, Output& o) const {
  if (const auto* p = std::get_if<core::PresenceOut>(&d)) render(*p, cache, ctx, o);
  else render(std::get<core::MessageOut>(d), ctx, o);
}

void Renderer::render(const core::PresenceOut& p, const PresenceCache& cache, Output& o) const {
  render(p, cache, RenderContext{}, o);
}

void Renderer::render(const core::PresenceOut& p, const PresenceCache& cache, const RenderContext& ctx,
                      Output& o) const {
  std::string tail = "'";
  from_attr(tail, p.room, p.nick);
  if (!p.available) tail += " type='unavailable'";
  tail += '>';
  tail += cache.get(p.session_id);
  tail += "<x xmlns='http://jabber.org/protocol/muc#user'><item";
  attr(tail, "affiliation", core::to_string(p.affiliation));
  attr(tail, "role", core::to_string(p.role));
  if (p.real_jid) attr(tail, "jid", *p.real_jid);
  if (p.new_nick) attr(tail, "nick", *p.new_nick);
  if (p.actor_nick.empty() && (p.reason.empty() || p.destroyed)) {
    tail += "/>";
  } else {
    tail += '>';
    if (!p.actor_nick.empty()) {
      tail += "<actor";
      attr(tail, "nick", p.actor_nick);
      tail += "/>";
    }
    if (!p.reason.empty() && !p.destroyed) text_element(tail, "reason", p.reason);
    tail += "</item>";
  }
  if (p.destroyed) {
    tail += "<destroy";
    if (p.destroy_alternate && !p.destroy_alternate->empty()) attr(tail, "jid", *p.destroy_alternate);
    if (p.reason.empty()) {
      tail += "/>";
    } else {
      tail += '>';
      text_element(tail, "reason", p.reason);
      tail += "</destroy>";
    }
  }
  status_codes(tail, p.status);
  tail += "</x>";
  occupant_id(tail, p.occupant_id);
  if (ctx.service != nullptr) session_ids(tail, p, *ctx.service, ctx.telemetry_token);
  tail += "</presence>";
  std::string to;
  append_escaped(to, p.to);
  o.put("<presence to='", to, tail);
}

void Renderer::render(const core::MessageOut& m, const RenderContext& ctx, Output& o) const {
  using core::MessageKind;
  std::string head = "<message to='";
  std::string tail = "'";
  switch (m.kind) {
    case MessageKind::groupchat:
    case MessageKind::history:
      from_attr(tail, m.room, m.nick);
      tail += " type='groupchat'";
      if (m.kind == MessageKind::groupchat && !ctx.origin_id.empty()) attr(tail, "id", ctx.origin_id);
      tail += '>';
      tail += m.payload;
      if (m.kind == MessageKind::history) {
        tail += "<delay xmlns='urn:xmpp:delay'";
        attr(tail, "from", m.room);
        attr(tail, "stamp", core::format_time(m.time_ms));
        tail += "/>";
        if (!m.from_jid.empty()) {  // XEP-0045 §7.2.15: the real JID for those allowed to see it
          tail += "<addresses xmlns='http://jabber.org/protocol/address'><address type='ofrom'";
          attr(tail, "jid", m.from_jid);
          tail += "/></addresses>";
        }
      }
      stanza_id(tail, m.stanza_id, m.room);
      occupant_id(tail, m.occupant_id);
      tail += "</message>";
      break;
    case MessageKind::private_:
      from_attr(tail, m.room, m.nick);
      tail += " type='chat'";
      if (!ctx.origin_id.empty()) attr(tail, "id", ctx.origin_id);
      tail += '>';
      tail += m.payload;
      tail += "<x xmlns='http://jabber.org/protocol/muc#user'/>";
      occupant_id(tail, m.occupant_id);
      tail += "</message>";
      break;
    case MessageKind::subject:
      from_attr(tail, m.room, m.nick);
      tail += " type='groupchat'>";
      text_element(tail, "subject", m.subject);
      occupant_id(tail, m.occupant_id);
      tail += "</message>";
      break;
    case MessageKind::status:
      from_attr(tail, m.room, {});
      tail += " type='groupchat'>";
      if (!m.reason.empty()) text_element(tail, "body", m.reason);
      tail += "<x xmlns='http://jabber.org/protocol/muc#user'>";
      status_codes(tail, m.status);
      tail += "</x></message>";
      break;
    case MessageKind::invite:
      from_attr(tail, m.room, {});
      tail += "><x xmlns='http://jabber.org/protocol/muc#user'><invite";
      attr(tail, "from", m.from_jid);
      if (m.reason.empty()) {
        tail += "/>";
      } else {
        tail += '>';
        text_element(tail, "reason", m.reason);
        tail += "</invite>";
      }
      if (!m.password.empty()) text_element(tail, "password", m.password);
      tail += "</x><x xmlns='jabber:x:conference'";
      attr(tail, "jid", m.room);
      if (!m.reason.empty()) attr(tail, "reason", m.reason);
      if (!m.password.empty()) attr(tail, "password", m.password);
      tail += "/>";
      tail += "<body>";
      append_escaped(tail, m.from_jid + " invites you to the room " + m.room + (m.reason.empty() ? "" : ": " + m.reason));
      tail += "</body></message>";
      break;
    case MessageKind::voice_request:
    case MessageKind::decline:
      render_lifecycle_message(m, tail);
      break;
    case MessageKind::moderation: render_moderation(tail, m); break;
  }
  put_all(o, head, m.to, tail);
}

std::string render_error(const Envelope& env, const core::Error& e, const std::string& by) {
  const char* name = env.kind == StanzaKind::presence  ? "presence"
                     : env.kind == StanzaKind::message ? "message"
                                                       : "iq";
  std::string s = "<";
  s += name;
  attr(s, "to", env.from);
  if (!env.to.empty()) attr(s, "from", env.to);
  attr(s, "type", "error");
  if (!env.id.empty()) attr(s, "id", env.id);
  s += '>';
  if (env.kind == StanzaKind::presence) s += "<x xmlns='http://jabber.org/protocol/muc'/>";
  s += "<error";
  attr(s, "type", core::to_string(e.type));
  if (!by.empty()) attr(s, "by", by);
  s += "><";
  s += core::to_string(e.condition);
  s += " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>";
  if (!e.text.empty()) {
    s += "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>";
    append_escaped(s, e.text);
    s += "</text>";
  }
  s += "</error></";
  s += name;
  s += '>';
  return s;
}

std::string render_iq_result(const Envelope& env, std::string_view payload) {
  std::string s = "<iq type='result'";
  attr(s, "to", env.from);
  if (!env.to.empty()) attr(s, "from", env.to);
  attr(s, "id", env.id);
  if (payload.empty()) {
    s += "/>";
  } else {
    s += '>';
    s += payload;
    s += "</iq>";
  }
  return s;
}

}  // namespace mucstream::xmpp
