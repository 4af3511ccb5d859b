#pragma once
// XEP-0313 (Message Archive Management, urn:xmpp:mam:2 with its #extended form) and
// XEP-0059 (result set management) on the wire: the requests a room takes, and the
// stanzas that answer them. Who may ask and what the answer holds are decided elsewhere
// (core/archive_access.hpp, the ArchiveReader); this file only reads and writes XML.
#include <optional>
#include <string>
#include <variant>

#include "core/archive.hpp"
#include "core/error.hpp"

namespace gloox {
class Tag;
}

namespace mucstream::xmpp {

namespace ns {
inline constexpr const char* kMam = "urn:xmpp:mam:2";
inline constexpr const char* kMamExtended = "urn:xmpp:mam:2#extended";
inline constexpr const char* kRsm = "http://jabber.org/protocol/rsm";
inline constexpr const char* kForward = "urn:xmpp:forward:0";
inline constexpr const char* kStableId = "http://jabber.org/protocol/muc#stable_id";
}  // namespace ns

// One archive request to a room, as read from an IQ's payload.
struct MamRequest {
  enum class Kind {
    form,      // <iq type='get'><query xmlns='urn:xmpp:mam:2'/>: the fields a query may use
    query,     // <iq type='set'><query …>: a page of the archive
    metadata,  // <iq type='get'><metadata xmlns='urn:xmpp:mam:2'/>: first and last message
  };
  Kind kind = Kind::query;
  std::string queryid;       // echoed in every <result/>
  core::ArchiveQuery query;  // room set; room_id and min_seq left for the access check
};

// True when `payload` (an IQ's only child) is an archive request.
bool is_mam_request(const gloox::Tag& payload);

// Reads the request in an IQ of type `iq_type` ("get" or "set") addressed to `room`
// (bare JID). bad-request for malformed forms, dates, JIDs and numbers;
// feature-not-implemented for what is not supported (an unknown form field, RSM <index/>).
std::variant<MamRequest, core::Error> decode_mam(const gloox::Tag& payload, const std::string& iq_type,
                                                 const std::string& room);

// The answer to a form request: <query xmlns='urn:xmpp:mam:2'><x type='form'>…</x></query>.
std::string mam_form();

// One archived message as a <result/> message to `to` from the room. Real JIDs only when
// `real_jids`. A corrected message carries its current payload and a XEP-0308 <replace/>
// naming its own stanza-id (a client that holds the original applies the correction, one
// that does not shows the current text); a retracted one is a XEP-0424 tombstone (with the
// XEP-0425 <moderated/> when a moderator removed it).
std::string render_mam_result(const std::string& to, const std::string& room, const std::string& queryid,
                              const core::ArchivedMessage& m, bool real_jids);

// The IQ result's payload closing a page: <fin complete=…> with the RSM set (first and
// last in archive order, the first's index, the count).
std::string render_mam_fin(const core::ArchivePage& page);

// The IQ result's payload for a metadata request.
std::string render_mam_metadata(const core::ArchiveEnds& ends);

}  // namespace mucstream::xmpp
