#pragma once
// Stanza -> core command decoding (XEP-0045 wire details). The decoder is literal: a
// presence becomes core::Presence (the core decides join, update, nick change or leave).
// It reads the room state only to resolve nicks in admin items; every room rule stays in
// core::decide.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/command.hpp"
#include "core/error.hpp"
#include "core/state.hpp"
#include "xmpp/calls.hpp"
#include "xmpp/mam.hpp"

namespace gloox {
class Tag;
}

namespace mucstream::xmpp {

enum class StanzaKind { message, presence, iq, other };

// The addressing of an incoming stanza, kept to address replies and errors.
struct Envelope {
  StanzaKind kind = StanzaKind::other;
  std::string type;  // the type attribute as sent
  std::string id;
  std::string from;  // sender's full JID as received
  std::string to;    // our address as received (service, room or room/nick)
};

// Questions answered from state by queries.hpp, without a decision.
struct Query {
  enum class What {
    service_info,      // disco#info on the service domain
    service_items,     // disco#items on the service domain: public rooms
    room_info,         // disco#info on a room
    room_items,        // disco#items on a room
    ping,              // XEP-0199 to the service or a room
    self_ping,         // XEP-0410 ping to room/nick
    affiliation_list,  // muc#admin get <item affiliation=.../>
    role_list,         // muc#admin get <item role=.../>
    config_form,       // muc#owner get
    occupant_iq,       // another IQ addressed to room/nick: routed to the occupant (§7.x)
    occupant_iq_response,  // a result/error to room/nick: the answer to a routed IQ
  };
  What what = What::ping;
  std::string room;  // bare room JID
  std::string nick;  // for self_ping / occupant_iq
  core::Affiliation affiliation = core::Affiliation::none;
  core::Role role = core::Role::none;
};

struct Decoded {
  Envelope env;
  core::Jid from;    // parsed sender (valid unless `ignore`)
  std::string room;  // bare room JID when addressed to a room
  std::vector<core::Command> commands;        // execute in order; the first error is the reply
  std::optional<Query> query;                 // answer from state
  std::optional<core::Error> error;           // reply with this error now
  std::optional<std::string> presence_payload;  // the presence's children to relay (show, status, caps ...)
  bool ignore = false;                        // nothing to do, nothing to answer (e.g. an error stanza)
  // Observations (Jingle actions, media announcements, real-time text) executed
  // after the stanza was handled successfully (joined, relayed, routed). Their errors are
  // never answered: observing must not block signalling or chat.
  std::vector<core::Command> observations;
  std::optional<JingleSeen> jingle;  // a routed Jingle IQ set, as read (for JingleContents)
  std::optional<MamRequest> mam;     // an archive request to a room (xmpp/mam.hpp), served off the loop
};

struct DecodeContext {
  const std::string& domain;    // the component's MUC domain
  const core::Service& service; // read-only
  const JingleContents* jingle = nullptr;  // content names of observed Jingle sessions
};

Decoded decode(const gloox::Tag& stanza, const DecodeContext& ctx);

// The muc#roomconfig form fields understood (see docs/protocol.md). Unknown fields are ignored.
// Returns an error (bad-request / not-acceptable) for malformed values.
std::optional<core::Error> decode_config_form(const gloox::Tag& x, core::ConfigChange& out);

}  // namespace mucstream::xmpp
