#pragma once
// Small XML helpers for the wire layer: escaping for hand-written stanzas, namespaces,
// parsing a string into a gloox::Tag (tests, tools) and the client payload extraction.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace gloox {
class Tag;
}

namespace mucstream::xmpp {

namespace ns {
inline constexpr const char* kMuc = "http://jabber.org/protocol/muc";
inline constexpr const char* kMucUser = "http://jabber.org/protocol/muc#user";
inline constexpr const char* kMucAdmin = "http://jabber.org/protocol/muc#admin";
inline constexpr const char* kMucOwner = "http://jabber.org/protocol/muc#owner";
inline constexpr const char* kRoomConfig = "http://jabber.org/protocol/muc#roomconfig";
inline constexpr const char* kRoomInfo = "http://jabber.org/protocol/muc#roominfo";
inline constexpr const char* kDiscoInfo = "http://jabber.org/protocol/disco#info";
inline constexpr const char* kDiscoItems = "http://jabber.org/protocol/disco#items";
inline constexpr const char* kData = "jabber:x:data";
inline constexpr const char* kPing = "urn:xmpp:ping";
inline constexpr const char* kStanzas = "urn:ietf:params:xml:ns:xmpp-stanzas";
inline constexpr const char* kSid = "urn:xmpp:sid:0";
inline constexpr const char* kOccupantId = "urn:xmpp:occupant-id:0";
inline constexpr const char* kDelay = "urn:xmpp:delay";
inline constexpr const char* kAddress = "http://jabber.org/protocol/address";
// The recipient list of mucstream's own Prosody module (deploy/prosody): the bcc recipients of
// XEP-0033 as one text node, one JID per line, which the server parses as one element.
inline constexpr const char* kRecipientList = "urn:xmpp:mucstream:multicast:0";
// Message lifecycle: XEP-0308 corrections, XEP-0424 retractions (and the older :0 form
// with XEP-0422 fastening), XEP-0425 moderation (:1, and :0 still sent by some clients).
inline constexpr const char* kCorrect = "urn:xmpp:message-correct:0";
inline constexpr const char* kRetract = "urn:xmpp:message-retract:1";
inline constexpr const char* kRetract0 = "urn:xmpp:message-retract:0";
inline constexpr const char* kModerate = "urn:xmpp:message-moderate:1";
inline constexpr const char* kModerate0 = "urn:xmpp:message-moderate:0";
inline constexpr const char* kFasten = "urn:xmpp:fasten:0";
inline constexpr const char* kFallback = "urn:xmpp:fallback:0";
inline constexpr const char* kHints = "urn:xmpp:hints";
inline constexpr const char* kSelfPing = "http://jabber.org/protocol/muc#self-ping-optimization";
}  // namespace ns

// Appends `s` escaped for use inside an attribute value (quoted with ') or text.
void append_escaped(std::string& out, std::string_view s);
std::string escaped(std::string_view s);
// Appends ` name='value'` with the value escaped.
void append_attr(std::string& out, std::string_view name, std::string_view value);

// The first child of `t` with this name (and namespace), or nullptr: the lookups every
// decoder does.
const gloox::Tag* child(const gloox::Tag& t, const std::string& name, const char* xmlns);
const gloox::Tag* child(const gloox::Tag& t, const std::string& name);

// The defined condition of a stanza's <error/> (service-unavailable, ...), or "".
std::string stanza_error_condition(const gloox::Tag& stanza);

// Parses one XML element (a stanza) from text. nullptr when the text is not one
// well-formed element.
std::unique_ptr<gloox::Tag> parse_xml(const std::string& text);

// The serialised children of `t` for which `keep` is true, concatenated. gloox re-serialises
// each child with Tag::xml(): attribute order and quoting may differ from the client's bytes,
// the element content and namespaces do not.
std::string children_xml(const gloox::Tag& t, const std::function<bool(const gloox::Tag&)>& keep);

// An estimate (from below, within a few bytes per element) of the serialised size of `t`,
// computed without serialising it.
std::size_t approx_size(const gloox::Tag& t);

}  // namespace mucstream::xmpp
