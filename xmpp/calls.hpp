#pragma once
// Call-related wire extensions (specified in docs/protocol.md "Calls"): Jingle
// observation (XEP-0166/0167), presence-carried media state (Jitsi elements and
// urn:xmpp:mucstream:0 <media/>), client info on join (<client/> and XEP-0115 caps),
// the P2P stats extension (urn:xmpp:mucstream:stats:0) and XEP-0301 real-time text.
// Pure decoding: every rule about sessions and rooms stays in core.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/command.hpp"
#include "core/error.hpp"
#include "core/value.hpp"

namespace gloox {
class Tag;
}

namespace mucstream::xmpp {

namespace ns {
inline constexpr const char* kJingle = "urn:xmpp:jingle:1";
inline constexpr const char* kJingleRtp = "urn:xmpp:jingle:apps:rtp:1";
inline constexpr const char* kJingleRtpInfo = "urn:xmpp:jingle:apps:rtp:info:1";
inline constexpr const char* kMucstream = "urn:xmpp:mucstream:0";
inline constexpr const char* kMucstreamStats = "urn:xmpp:mucstream:stats:0";
inline constexpr const char* kRtt = "urn:xmpp:rtt:0";
inline constexpr const char* kJitsiAudio = "http://jitsi.org/jitmeet/audio";
inline constexpr const char* kJitsiVideo = "http://jitsi.org/jitmeet/video";
inline constexpr const char* kCaps = "http://jabber.org/protocol/caps";
}  // namespace ns

struct JingleSeen;

// Content names each Jingle session declared (session-initiate, session-accept,
// content-add), so a later <mute name='…'/> or content-remove that names only the content
// can be classified as audio, video or screen. Keyed by room and sid (sids are chosen by
// clients and only unique between two of them). Bounded: old sessions are forgotten first.
class JingleContents {
 public:
  void learn(const std::string& room, const std::string& sid, const std::string& name, const std::string& media);
  const std::string* find(const std::string& room, const std::string& sid, const std::string& name) const;
  void forget(const std::string& room, const std::string& sid);
  // The bookkeeping for one routed Jingle IQ: learn what it declares, forget it on terminate.
  void record(const JingleSeen&);
  std::size_t size() const { return by_sid_.size(); }
  static constexpr std::size_t kMaxSessions = 10'000;

 private:
  std::map<std::string, std::map<std::string, std::string>> by_sid_;
  std::vector<std::string> order_;  // sids in learning order, for eviction
};

// What one Jingle IQ tells the room: an action for the core (when it is one the core
// observes) and the content names it declared (for JingleContents).
struct JingleSeen {
  std::string room;
  std::string sid;
  std::string action;  // the Jingle action as sent
  std::optional<core::ObserveJingle> observe;
  std::vector<std::pair<std::string, std::string>> contents;  // content name -> media kind
  bool ends = false;  // session-terminate: forget the session's contents
};

// Reads a <jingle xmlns='urn:xmpp:jingle:1'/> payload of an IQ set that `user` sent to
// `room`/`to_nick`. nullopt when the payload is malformed (no action or sid, unknown
// action, a session-accept without contents): the IQ is still relayed, nothing is observed.
std::optional<JingleSeen> decode_jingle(const gloox::Tag& jingle, const core::Jid& user, const std::string& room,
                                        const std::string& to_nick, const JingleContents* known);

// Media kind of one <content/>: "audio", "video", "screen", or "" when not RTP media.
std::string content_media(const gloox::Tag& content);

// Media state announced in a presence: nullopt when it announces none.
std::optional<core::AnnounceMedia> decode_media_presence(const gloox::Tag& presence, const core::Jid& user,
                                                         const std::string& room);

// Client info from a join presence: <client xmlns='urn:xmpp:mucstream:0'/>, else hints
// from XEP-0115 caps; an empty object when neither is there.
core::Value decode_client_info(const gloox::Tag& presence);

// The figures of a <stats xmlns='urn:xmpp:mucstream:stats:0'/> element as event data, or
// a bad-request error naming the bad attribute. `sid` receives the session id.
std::variant<core::Value, core::Error> decode_stats(const gloox::Tag& stats, std::string& sid);

// XEP-0301 in a groupchat message: true for event init/new, false for cancel, nullopt for
// edit/reset, no <rtt/> or an unknown event.
std::optional<bool> decode_rtt(const gloox::Tag& message);

// Presence children the room keeps for itself (client info, and session/telemetry
// elements only the room may issue): not relayed to other occupants.
bool is_room_only_presence_child(const gloox::Tag& c);

}  // namespace mucstream::xmpp
