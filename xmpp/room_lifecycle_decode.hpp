#pragma once
// Decoding of what surrounds a room's messages: XEP-0085 chat states, XEP-0333 displayed
// markers, XEP-0334 storage hints, XEP-0045 §7.13 voice requests and their approval,
// §7.8.2 declines, and the mucstream purge flag on an owner's destroy.
#include <optional>
#include <string>
#include <variant>

#include "core/command.hpp"
#include "core/error.hpp"

namespace gloox {
class Tag;
}

namespace mucstream::xmpp {

namespace ns {
inline constexpr const char* kChatStates = "http://jabber.org/protocol/chatstates";
inline constexpr const char* kChatMarkers = "urn:xmpp:chat-markers:0";
// kHints (XEP-0334) is in xmpp/xml.hpp.
inline constexpr const char* kMucRequest = "http://jabber.org/protocol/muc#request";
inline constexpr const char* kMucstreamPurge = "urn:xmpp:mucstream:0";  // <purge/> in <destroy/>
}  // namespace ns

// Owner form fields without a standard var (XEP-0045 §15.5.3 has none for these).
inline constexpr const char* kVarRecordChatStates = "mucstream#roomconfig_recordchatstates";
inline constexpr const char* kVarInviteGrantsMembership = "mucstream#roomconfig_invitegrantsmembership";

// The chat state and/or displayed marker a relayed message carries, as an observation;
// nullopt when it carries neither.
std::optional<core::ObserveChatState> decode_chat_state(const gloox::Tag& message, const core::Jid& from,
                                                        const std::string& room,
                                                        std::optional<std::string> to_nick);

// XEP-0334 <no-store/> or <no-permanent-store/>.
bool has_no_store_hint(const gloox::Tag& message);

// A non-groupchat message to the room carrying a muc#request data form: a visitor's voice
// request (RequestVoice) or a moderator's answer (SetRole to participant when
// muc#request_allow is true; nothing when false). nullopt: no such form here.
struct VoiceForm {
  std::optional<core::Command> command;  // empty: a denied request, nothing to do
  std::optional<core::Error> error;
};
std::optional<VoiceForm> decode_voice_form(const gloox::Tag& message, const core::Jid& from, const std::string& room);

// <decline to='inviter'> (§7.8.2; older clients address it with 'from') in muc#user.
std::optional<std::variant<core::DeclineInvitation, core::Error>> decode_decline(const gloox::Tag& x,
                                                                                 const core::Jid& from,
                                                                                 const std::string& room);

// <destroy><purge xmlns='urn:xmpp:mucstream:0'/></destroy>: the bodies go too.
bool destroy_purges(const gloox::Tag& destroy);

}  // namespace mucstream::xmpp
