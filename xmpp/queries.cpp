#include "xmpp/queries.hpp"

#include "core/roles.hpp"
#include "xmpp/mam.hpp"
#include "xmpp/lifecycle_decode.hpp"
#include "xmpp/room_lifecycle_decode.hpp"
#include "xmpp/renderer.hpp"
#include "xmpp/xml.hpp"

namespace mucstream::xmpp {
namespace {

using core::ErrorCondition;

void attr(std::string& out, std::string_view name, std::string_view value) { append_attr(out, name, value); }

void feature(std::string& out, std::string_view var) {
  out += "<feature";
  attr(out, "var", var);
  out += "/>";
}

void field(std::string& out, std::string_view var, std::string_view type, std::string_view value,
           std::string_view label = {}) {
  out += "<field";
  attr(out, "var", var);
  if (!type.empty()) attr(out, "type", type);
  if (!label.empty()) attr(out, "label", label);
  out += "><value>";
  append_escaped(out, value);
  out += "</value></field>";
}

void bool_field(std::string& out, std::string_view var, bool v, std::string_view label) {
  field(out, var, "boolean", v ? "1" : "0", label);
}

QueryAnswer result(std::string payload = {}) { return QueryAnswer{QueryAnswer::Verdict::result, std::move(payload), {}}; }

QueryAnswer refuse(ErrorCondition c, std::string text) {
  return QueryAnswer{QueryAnswer::Verdict::error, {}, core::make_error(c, std::move(text))};
}

// What the service and every room support.
void common_features(std::string& q) {
  // muc#stable_id: a groupchat message is reflected with its sender's id attribute.
  for (const char* f : {ns::kMuc, ns::kDiscoInfo, ns::kDiscoItems, ns::kPing, ns::kSid, ns::kOccupantId, ns::kSelfPing,
                        ns::kStableId})
    feature(q, f);
}

core::Affiliation affiliation_of(const core::Room& r, const core::Jid& who) { return r.affiliation_of(who.bare()); }

std::string room_info(const core::Room& r, bool archive) {
  const auto& c = r.config;
  std::string q = "<query xmlns='http://jabber.org/protocol/disco#info'><identity category='conference' type='text'";
  attr(q, "name", c.name.empty() ? r.jid.substr(0, r.jid.find('@')) : c.name);
  q += "/>";
  common_features(q);
  feature(q, c.is_public ? "muc_public" : "muc_hidden");
  feature(q, c.persistent ? "muc_persistent" : "muc_temporary");
  feature(q, c.members_only ? "muc_membersonly" : "muc_open");
  feature(q, c.moderated ? "muc_moderated" : "muc_unmoderated");
  feature(q, c.whois == core::Whois::anyone ? "muc_nonanonymous" : "muc_semianonymous");
  feature(q, c.password_protected() ? "muc_passwordprotected" : "muc_unsecured");
  if (r.locked) feature(q, "urn:mucstream:locked");
  feature(q, ns::kMucRequest);  // §7.13 voice requests
  // The message lifecycle: corrections, retractions by the author, moderation (current and
  // the :0 form older clients look for before offering it).
  for (const char* f : {ns::kCorrect, ns::kRetract, ns::kModerate, ns::kModerate0}) feature(q, f);
  // XEP-0313 §7 as Prosody does it: advertised where new messages are archived.
  if (archive && c.enable_archiving) {
    feature(q, ns::kMam);
    feature(q, ns::kMamExtended);
  }
  q += "<x xmlns='jabber:x:data' type='result'>";
  field(q, "FORM_TYPE", "hidden", ns::kRoomInfo);
  field(q, "muc#roomconfig_roomname", {}, c.name, "Name");
  field(q, "muc#roominfo_description", {}, c.description, "Description");
  field(q, "muc#roominfo_occupants", {}, std::to_string(r.occupants.size()), "Number of occupants");
  field(q, "muc#roominfo_subject", {}, r.subject, "Subject");
  field(q, "muc#roomconfig_changesubject", "boolean", c.occupants_may_change_subject ? "1" : "0");
  if (c.max_occupants != 0) field(q, "muc#roomconfig_maxusers", {}, std::to_string(c.max_occupants));
  field(q, "muc#roominfo_room_id", {}, r.room_id, "Room id (mucstream analytics)");
  q += "</x></query>";
  return q;
}

std::string service_info(const core::ServiceConfig&) {
  std::string q = "<query xmlns='http://jabber.org/protocol/disco#info'>"
                  "<identity category='conference' type='text' name='mucstream rooms'/>";
  common_features(q);
  q += "</query>";
  return q;
}

}  // namespace

std::string config_form(const core::Room& r, const core::ServiceConfig& cfg) {
  const auto& c = r.config;
  std::string x = "<x xmlns='jabber:x:data' type='form'><title>";
  append_escaped(x, "Configuration for " + r.jid);
  x += "</title>";
  field(x, "FORM_TYPE", "hidden", ns::kRoomConfig);
  field(x, "muc#roomconfig_roomname", "text-single", c.name, "Name");
  field(x, "muc#roomconfig_roomdesc", "text-single", c.description, "Description");
  bool_field(x, "muc#roomconfig_persistentroom", c.persistent, "Persistent (kept when empty)");
  bool_field(x, "muc#roomconfig_publicroom", c.is_public, "Listed in the room directory");
  bool_field(x, "muc#roomconfig_membersonly", c.members_only, "Members only");
  bool_field(x, "muc#roomconfig_moderatedroom", c.moderated, "Moderated (only participants may speak)");
  bool_field(x, "muc#roomconfig_passwordprotectedroom", c.password_protected(), "Password protected");
  // The password is stored hashed only: the form never shows it; an empty value keeps it.
  field(x, "muc#roomconfig_roomsecret", "text-private", "", "Password (empty keeps the current one)");
  x += "<field var='muc#roomconfig_whois' type='list-single' label='Who may see real JIDs'><value>";
  x += c.whois == core::Whois::anyone ? "anyone" : "moderators";
  x += "</value><option label='Moderators only'><value>moderators</value></option>"
       "<option label='Anyone'><value>anyone</value></option></field>";
  field(x, "muc#roomconfig_maxusers", "text-single", c.max_occupants == 0 ? "none" : std::to_string(c.max_occupants),
        "Maximum occupants (none = " + std::to_string(cfg.max_occupants_limit) + ")");
  field(x, "muc#roomconfig_historylength", "text-single", std::to_string(c.history_length),
        "Messages of history (at most " + std::to_string(cfg.max_history_length) + ")");
  bool_field(x, "muc#roomconfig_changesubject", c.occupants_may_change_subject, "Occupants may change the subject");
  bool_field(x, "muc#roomconfig_allowinvites", c.occupants_may_invite, "Occupants may invite");
  x += "<field var='muc#roomconfig_allowpm' type='list-single' label='Private messages'><value>";
  x += c.allow_private_messages ? "anyone" : "none";
  x += "</value><option label='Anyone'><value>anyone</value></option>"
       "<option label='Nobody'><value>none</value></option></field>";
  bool_field(x, "muc#roomconfig_locked", r.locked, "Locked: only members, admins and owners may join");
  bool_field(x, "muc#roomconfig_enablearchiving", c.enable_archiving, "Archive messages (XEP-0313)");
  bool_field(x, kVarRecordChatStates, c.record_chat_states, "Record chat states and read markers as events");
  bool_field(x, kVarInviteGrantsMembership, c.invite_grants_membership,
             "Members only: an invitation makes the invitee a member");
  x += "</x>";
  return x;
}

QueryAnswer answer(const Decoded& d, const core::Service& svc, const core::ServiceConfig& cfg, bool archive) {
  const Query& q = *d.query;
  using W = Query::What;
  if (q.what == W::service_info) return result(service_info(cfg));
  if (q.what == W::service_items) {
    std::string items = "<query xmlns='http://jabber.org/protocol/disco#items'>";
    for (const auto& [jid, r] : svc.rooms) {
      if (!r.config.is_public || r.awaiting_configuration) continue;
      items += "<item";
      attr(items, "jid", jid);
      attr(items, "name", r.config.name.empty() ? jid.substr(0, jid.find('@')) : r.config.name);
      items += "/>";
    }
    items += "</query>";
    return result(items);
  }
  if (q.what == W::ping && q.room.empty()) return result();

  const core::Room* r = svc.find(q.room);
  // XEP-0410 reads item-not-found as "joined, your nick changed": a client whose room ended
  // while it was away (a crash, its occupants ghosts) must hear "not joined" to rejoin.
  if (r == nullptr && q.what == W::self_ping)
    return refuse(ErrorCondition::not_acceptable, "You are not an occupant of this room");
  if (r == nullptr) return refuse(ErrorCondition::item_not_found, "No such room");
  const core::Occupant* me = r->occupant_by_session_jid(d.from.full());
  switch (q.what) {
    case W::ping: return result();
    case W::room_info:
      if (r->awaiting_configuration && affiliation_of(*r, d.from) != core::Affiliation::owner)
        return refuse(ErrorCondition::item_not_found, "No such room");
      return result(room_info(*r, archive));
    case W::room_items:  // occupants are not listed (Prosody does the same for semi-anonymous rooms)
      return result("<query xmlns='http://jabber.org/protocol/disco#items'/>");
    case W::self_ping: {
      // XEP-0410: answered by the room for the occupant itself; not-acceptable means "not joined".
      if (me == nullptr) return refuse(ErrorCondition::not_acceptable, "You are not an occupant of this room");
      auto nick = core::prepare_nick(q.nick);
      if (std::holds_alternative<std::string>(nick) && std::get<std::string>(nick) == me->nick)
        return result();
      if (r->occupant_by_nick(std::holds_alternative<std::string>(nick) ? std::get<std::string>(nick) : q.nick) == nullptr)
        return refuse(ErrorCondition::item_not_found, "No occupant with that nickname");
      return refuse(ErrorCondition::service_unavailable, "IQs between occupants are not relayed");
    }
    case W::occupant_iq_response: return QueryAnswer{};  // routed by the room loop, never answered
    case W::occupant_iq: {
      if (me == nullptr) return refuse(ErrorCondition::not_acceptable, "You are not an occupant of this room");
      auto nick = core::prepare_nick(q.nick);
      if (!std::holds_alternative<std::string>(nick) || r->occupant_by_nick(std::get<std::string>(nick)) == nullptr)
        return refuse(ErrorCondition::item_not_found, "No occupant with that nickname");
      // The room loop routes IQs to other occupants; reaching here means nobody to route to.
      return refuse(ErrorCondition::service_unavailable, "This IQ cannot be delivered");
    }
    case W::affiliation_list: {
      const auto mine = affiliation_of(*r, d.from);
      if (mine < core::Affiliation::admin) return refuse(ErrorCondition::forbidden, "Only admins and owners may see this list");
      std::string out = "<query xmlns='http://jabber.org/protocol/muc#admin'>";
      for (const auto& [jid, entry] : r->affiliations) {
        if (entry.affiliation != q.affiliation) continue;
        out += "<item";
        attr(out, "affiliation", core::to_string(entry.affiliation));
        attr(out, "jid", jid);
        if (const core::Occupant* o = r->occupant_by_bare_jid(jid)) attr(out, "nick", o->nick);
        if (entry.reason.empty()) {
          out += "/>";
        } else {
          out += "><reason>";
          append_escaped(out, entry.reason);
          out += "</reason></item>";
        }
      }
      out += "</query>";
      return result(out);
    }
    case W::role_list: {
      if (me == nullptr || me->role != core::Role::moderator)
        return refuse(ErrorCondition::forbidden, "Only moderators may see this list");
      const bool see = core::may_see_real_jids(me->role, r->config.whois == core::Whois::anyone);
      std::string out = "<query xmlns='http://jabber.org/protocol/muc#admin'>";
      for (const auto& [nick, o] : r->occupants) {
        if (o.role != q.role) continue;
        out += "<item";
        attr(out, "affiliation", core::to_string(r->affiliation_of(o.bare_jid)));
        attr(out, "role", core::to_string(o.role));
        attr(out, "nick", nick);
        if (see && !o.sessions.empty()) attr(out, "jid", o.sessions.back().full_jid);
        out += "/>";
      }
      out += "</query>";
      return result(out);
    }
    case W::config_form:
      if (affiliation_of(*r, d.from) != core::Affiliation::owner)
        return refuse(ErrorCondition::forbidden, "Only owners may configure this room");
      return result("<query xmlns='http://jabber.org/protocol/muc#owner'>" + config_form(*r, cfg) +
                                         "</query>");
    default: break;
  }
  return refuse(ErrorCondition::service_unavailable, "Not supported");
}

std::string render_answer(const Envelope& env, const QueryAnswer& a) {
  switch (a.verdict) {
    case QueryAnswer::Verdict::result: return render_iq_result(env, a.payload);
    case QueryAnswer::Verdict::error: return render_error(env, *a.error);
    case QueryAnswer::Verdict::none: break;
  }
  return {};
}

std::string answer_query(const Decoded& d, const core::Service& svc, const core::ServiceConfig& cfg) {
  return render_answer(d.env, answer(d, svc, cfg));
}

}  // namespace mucstream::xmpp
