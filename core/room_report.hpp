#pragma once
// Room reports as talky computed them when a meeting ended: how many were there at once,
// who took part and for how long, how long the first person waited alone, how much of the
// room's life was a usable call (two or more people), the P2P sessions and how they ended,
// and speaking time when clients report it.
//
// P2P sessions come from what the room observed in Jingle (p2p_session_started/ended) and
// from what clients reported over HTTP telemetry (peer_session_added/removed,
// peer_session_connection_state, peer_stream_added), as talky's own reports read them: a
// call that only a WebRTC client's telemetry mentions is still a call. One sid is one session
// whichever channel and party reported it.
//
// A report is a fold over one room_id's events in seq order. The fold state is plain data
// that round-trips through core::Value, so the materialiser keeps it in PostgreSQL between
// batches and restarts and folds only new events (never a rescan), and a recompute from the
// stored events gives the same state. Pure: no clock, no I/O; "now" is the last event.
//
// Participants are people, not connections: keyed by the XEP-0421 occupant id (stable per
// bare JID within a room, and not the real JID), showing the bare JID as users.userid does;
// the sessions (devices) of one person count once for presence and speaking.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "core/value.hpp"

namespace mucstream::core {

// Time accumulated while a condition holds (someone present, two people together, …).
struct ReportSpan {
  bool open = false;
  std::int64_t since_ms = 0;
  std::int64_t total_ms = 0;

  void start(std::int64_t t);
  void stop(std::int64_t t);
  std::int64_t at(std::int64_t t) const;  // total including an open interval up to t

  friend bool operator==(const ReportSpan&, const ReportSpan&) = default;
};

struct ReportParticipant {
  std::string key;     // occupant id (else bare JID, else session id)
  std::string userid;  // bare JID, as users.userid
  std::string nick;    // latest nick
  std::int64_t first_joined_ms = 0;
  std::int64_t sessions = 0;  // sessions ever
  std::int64_t present = 0;   // sessions in the room now
  ReportSpan in_room;         // at least one session present
  std::int64_t speaking = 0;  // sessions speaking now
  ReportSpan speaking_span;   // at least one session speaking

  friend bool operator==(const ReportParticipant&, const ReportParticipant&) = default;
};

// A session still in the room (left sessions are dropped: the state stays bounded by the
// live sessions plus participants and P2P sessions).
struct ReportSession {
  std::string participant;  // ReportParticipant::key
  bool speaking = false;

  friend bool operator==(const ReportSession&, const ReportSession&) = default;
};

struct ReportP2P {
  std::string sid;
  std::string initiator, responder;  // session ids
  std::vector<std::string> media;
  std::int64_t started_ms = 0;
  std::optional<std::int64_t> ended_ms;
  std::int64_t duration_ms = 0;  // when ended
  std::string reason;            // Jingle reason, or the occupant_left / room_destroyed reason
  std::string outcome = "open";  // open | completed | failed | interrupted
  std::string source = "jingle";  // the channel that reported its start: jingle | telemetry
  // A client reported the connection state `failed` / `interrupted` (talky's failed and
  // interrupted sessions): the outcome says so even when the end itself looked clean.
  bool failed_state = false, interrupted_state = false;

  friend bool operator==(const ReportP2P&, const ReportP2P&) = default;
};

struct RoomReport {
  std::string room_id, room;
  std::uint64_t last_seq = 0;  // last event folded: an event at or below it is a duplicate
  std::int64_t as_of_ms = 0;   // time of the last event folded
  std::optional<std::int64_t> created_ms, ended_ms;
  std::string ended_reason;
  std::int64_t sessions_now = 0, peak_sessions = 0;
  std::int64_t people_now = 0, peak_people = 0;
  std::optional<std::int64_t> second_person_ms;  // first moment two people were present
  ReportSpan together;                           // two or more people present
  bool speaking_reported = false;                // any started/stopped_speaking seen
  std::map<std::string, ReportSession> sessions;          // live, by session id
  std::map<std::string, ReportParticipant> participants;  // by key
  std::vector<ReportP2P> p2p;                             // in start order

  friend bool operator==(const RoomReport&, const RoomReport&) = default;
};

// The event types that change a report; the fold ignores every other type, so callers may
// skip batches without them (the materialiser does).
bool report_relevant(EventType);

// Folds one event (of this room_id, in seq order). Events at or below last_seq, of another
// room_id, or of other types leave the report unchanged.
RoomReport fold(RoomReport, const Event&);

// The report, as stored in rooms.reports and served by the API (docs/events.md, "Room reports").
Value to_value(const RoomReport&);

// The fold state, as stored in rooms.report_state, and back. An unreadable or foreign state
// gives an empty report (then only a recompute restores it).
Value state_to_value(const RoomReport&);
RoomReport state_from_value(const Value&);

}  // namespace mucstream::core
