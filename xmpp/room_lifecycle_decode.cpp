#include "xmpp/room_lifecycle_decode.hpp"

#include <gloox/tag.h>

#include <array>
#include <map>

#include "xmpp/xml.hpp"

namespace mucstream::xmpp {
namespace {

constexpr std::array<const char*, 5> kStates = {"active", "composing", "paused", "inactive", "gone"};

// var -> first value of a submitted data form.
std::map<std::string, std::string> form_values(const gloox::Tag& x) {
  std::map<std::string, std::string> out;
  for (const gloox::Tag* f : x.children()) {
    if (f->name() != "field" || !f->hasAttribute("var")) continue;
    std::string value;
    for (const gloox::Tag* v : f->children())
      if (v->name() == "value") {
        value = v->cdata();
        break;
      }
    out.emplace(f->findAttribute("var"), value);
  }
  return out;
}

}  // namespace

std::optional<core::ObserveChatState> decode_chat_state(const gloox::Tag& m, const core::Jid& from,
                                                        const std::string& room,
                                                        std::optional<std::string> to_nick) {
  core::ObserveChatState o;
  for (const gloox::Tag* c : m.children()) {
    if (c->xmlns() == ns::kChatStates && o.state.empty()) {
      for (const char* s : kStates)
        if (c->name() == s) o.state = s;
    } else if (c->xmlns() == ns::kChatMarkers && c->name() == "displayed" && c->hasAttribute("id") && !o.displayed) {
      o.displayed = c->findAttribute("id");
    }
  }
  if (o.state.empty() && !o.displayed) return std::nullopt;
  o.user = from;
  o.room = room;
  o.to_nick = std::move(to_nick);
  return o;
}

bool has_no_store_hint(const gloox::Tag& m) {
  return child(m, "no-store", ns::kHints) != nullptr || child(m, "no-permanent-store", ns::kHints) != nullptr;
}

std::optional<VoiceForm> decode_voice_form(const gloox::Tag& m, const core::Jid& from, const std::string& room) {
  const gloox::Tag* x = child(m, "x", ns::kData);
  if (x == nullptr) return std::nullopt;
  auto values = form_values(*x);
  if (values["FORM_TYPE"] != ns::kMucRequest) return std::nullopt;
  VoiceForm out;
  auto allow = values.find("muc#request_allow");
  if (allow == values.end()) {  // §7.13.1: the visitor's request
    out.command = core::RequestVoice{from, room};
    return out;
  }
  // §7.13.2: a moderator's answer. The core checks the sender may grant voice.
  if (allow->second == "0" || allow->second == "false") return out;
  if (allow->second != "1" && allow->second != "true") {
    out.error = core::make_error(core::ErrorCondition::bad_request, "muc#request_allow must be a boolean");
    return out;
  }
  const std::string& nick = values["muc#roomnick"];
  if (nick.empty()) {
    out.error = core::make_error(core::ErrorCondition::bad_request, "The approval needs muc#roomnick");
    return out;
  }
  out.command = core::SetRole{core::Requester::user(from), room, nick, core::Role::participant, {}};
  return out;
}

std::optional<std::variant<core::DeclineInvitation, core::Error>> decode_decline(const gloox::Tag& x,
                                                                                 const core::Jid& from,
                                                                                 const std::string& room) {
  const gloox::Tag* decline = nullptr;
  for (const gloox::Tag* c : x.children())
    if (c->name() == "decline") decline = c;
  if (decline == nullptr) return std::nullopt;
  const std::string to = decline->hasAttribute("to") ? decline->findAttribute("to") : decline->findAttribute("from");
  auto parsed = core::Jid::parse(to);
  if (!std::holds_alternative<core::Jid>(parsed))
    return core::make_error(core::ErrorCondition::jid_malformed, "The decline needs a valid 'to' address (the inviter)");
  core::DeclineInvitation d{from, room, std::get<core::Jid>(parsed), {}};
  for (const gloox::Tag* c : decline->children())
    if (c->name() == "reason") d.reason = c->cdata();
  return d;
}

bool destroy_purges(const gloox::Tag& destroy) { return child(destroy, "purge", ns::kMucstreamPurge) != nullptr; }

}  // namespace mucstream::xmpp
