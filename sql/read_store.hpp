#pragma once
// The read side of the schema, as an interface: what the HTTP API (analytics/) and analysts'
// tools read from the tables and views the materialiser writes (rooms, users, events, and
// the call views of migration 0004). PgReadStore (pg_read_store.hpp) answers from
// PostgreSQL; tests can answer from memory. Every filter arrives already validated and typed
// by the caller.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/archive.hpp"
#include "sql/read_calls.hpp"
#include "sql/read_dashboard.hpp"

namespace mucstream::sql {

// The database cannot be reached or failed (the HTTP API answers 503).
class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RoomRow {
  std::string id, name, jid;
  UnixMicros created = 0;
  std::optional<UnixMicros> ended;
  std::optional<std::string> ended_reason, creator;
  bool persistent = false, locked = false;
  std::optional<std::string> config_json;  // JSON text, as stored
  std::int64_t last_seq = 0, event_count = 0;
  std::optional<UnixMicros> last_event;
  std::int64_t occupants = 0;  // sessions without `ended`
  std::optional<std::string> reports_json;  // the room report (sql/reports.hpp), JSON text as stored
  // The report without its lists (participant_times, p2p.sessions): what room lists carry
  // unless RoomQuery::full_reports asks for reports_json.
  std::optional<std::string> report_summary_json;
};

struct UserRow {
  std::string sessionid, userid, room_id, nick;
  std::optional<std::string> jid, role, affiliation, occupant_id, type, os, browser, useragent, ended_reason;
  UnixMicros created = 0;
  std::optional<UnixMicros> ended;
};

struct EventRow {
  std::string id, type, room, room_id;
  std::int64_t seq = 0;
  std::optional<std::string> actor, peer;
  UnixMicros time = 0;
  std::string data_json;  // JSON text, as stored
};

struct TimeRange {
  std::optional<UnixMicros> since;  // inclusive
  std::optional<UnixMicros> until;  // exclusive
};

struct RoomQuery {
  std::optional<bool> active;       // true: ended IS NULL
  std::optional<std::string> name;  // exact local part
  std::optional<std::string> domain;  // the MUC domain of the room's JID (normalised, lower case)
  TimeRange created;
  std::int64_t page = 1, per_page = 50;
  bool full_reports = false;  // reports_json (each whole report) instead of report_summary_json
};

struct UserQuery {
  std::string room_id;
  std::optional<bool> active;
  std::int64_t page = 1, per_page = 50;
};

template <class Row>
struct Page {
  std::vector<Row> items;
  std::int64_t total = 0;
};

// A keyset position in the event order: the (time, id) of the last row a page returned.
struct EventPosition {
  UnixMicros time = 0;
  std::string id;  // lowercase uuid
};

struct EventQuery {
  std::vector<std::string> types;       // any of; empty = all
  std::optional<std::string> room_id;   // uuid
  std::optional<std::string> room_jid;  // bare JID
  std::optional<std::string> actor;     // session uuid
  TimeRange time;
  std::optional<EventPosition> after;  // rows strictly after this (time, id) in the order below
  bool descending = false;      // newest first
  std::int64_t limit = 100;     // the store returns up to limit + 1 rows so callers see "more"
};

// A period's numbers (GET /v1/analytics/summary). Maps are JSON objects as text.
struct Summary {
  std::int64_t rooms_created = 0, rooms_ended = 0, rooms_still_active = 0;  // rooms created in the period
  std::optional<double> duration_mean_seconds, duration_p95_seconds;      // of those that ended
  std::int64_t peak_concurrent_occupants = 0;  // most sessions present at once during the period
  std::int64_t messages = 0;                   // message_sent events in the period
  std::int64_t sessions = 0, distinct_users = 0;  // sessions that joined in the period
  std::string sessions_by_type = "{}", sessions_by_os = "{}", sessions_by_browser = "{}";
};

struct DailyCount {
  std::string day;  // YYYY-MM-DD (UTC)
  std::string type;
  std::int64_t count = 0;
};

// --- Messages and the room naming rule (GET /v1/rooms/{room}/messages, /v1/users/{jid}/rooms) ---

// How a request named a room: its id, its bare JID or its local part. A JID (and a local
// part) may have named several rooms over time; it means the live one, else the latest.
struct RoomName {
  enum class Kind { id, jid, local_part };
  Kind kind = Kind::id;
  std::string text;  // a lowercase uuid, a bare JID or a local part
};

// find_rooms lists at most this many rooms for one local part (one per domain served).
inline constexpr std::size_t kMaxRoomCandidates = 20;

struct RoomIdentity {
  std::string id, jid;
  bool live = false;  // not ended
};

// One room a user took part in, with the newest archived message of that room lifetime.
struct UserRoomRow {
  std::string room_id, jid, name;
  UnixMicros created = 0;
  std::optional<UnixMicros> ended;
  UnixMicros last_joined = 0;   // the user's latest session in it
  std::int64_t sessions = 0;    // the user's sessions in it
  std::optional<core::ArchivedMessage> latest;
};

struct UserRoomsQuery {
  std::string userid;  // bare JID
  std::int64_t page = 1, per_page = 50;
};

class ReadStore {
 public:
  virtual ~ReadStore() = default;
  virtual Page<RoomRow> rooms(const RoomQuery&) = 0;
  virtual std::optional<RoomRow> room(const std::string& id) = 0;
  virtual Page<UserRow> room_users(const UserQuery&) = 0;
  virtual std::optional<UserRow> user(const std::string& sessionid) = 0;
  virtual std::vector<EventRow> events(const EventQuery&) = 0;
  // `period` has both ends.
  virtual Summary summary(const TimeRange& period) = 0;
  // Events per UTC day and type in `period` (both ends), optionally of some types / a room.
  virtual std::vector<DailyCount> events_per_day(const TimeRange& period, const std::vector<std::string>& types,
                                                 const std::optional<std::string>& room_id) = 0;
  // Calls and media (read_calls.hpp; the views of migration 0004).
  virtual std::vector<TimelineItem> room_timeline(const TimelineQuery&) = 0;
  virtual P2PQuality p2p_quality(const CallPeriodQuery&) = 0;  // page/per_page unused
  virtual MediaReport media_usage(const CallPeriodQuery&) = 0;
  virtual Page<RoomCallsRow> room_calls(const CallPeriodQuery&) = 0;  // room_id unused
  // The dashboard's endpoints (read_dashboard.hpp; pg_read_dashboard.cpp).
  virtual Overview overview(const BucketQuery&) = 0;
  virtual RoomBandMatrix room_bands(UnixMicros from, UnixMicros to) = 0;
  virtual std::vector<OccupancyPoint> room_occupancy(const std::string& room_id) = 0;
  virtual std::vector<P2PQualityPeriod> p2p_quality_series(const BucketQuery&) = 0;  // hour or day
  // Messages (pg_read_messages.cpp).
  // The rooms a name may mean: at most one for an id or a bare JID (the live lifetime, else
  // the latest); for a local part, one per bare JID with that local part (the live lifetime,
  // else the latest), ordered by JID, at most kMaxRoomCandidates. Several only when several
  // domains have a room of that local part: the caller decides what that means.
  virtual std::vector<RoomIdentity> find_rooms(const RoomName&) = 0;
  // True when the user (bare JID) had a session in that room lifetime, created it, or was
  // last made its member, admin or owner.
  virtual bool user_may_read(const std::string& userid, const std::string& room_id) = 0;
  // A page of one room lifetime's archive (q.room_id), at most max_cap messages.
  virtual core::ArchiveResult archive(const core::ArchiveQuery& q, std::uint32_t max_cap) = 0;
  // Rooms the user had sessions in, the newest message (else latest join) first.
  virtual Page<UserRoomRow> user_rooms(const UserRoomsQuery&) = 0;
  // For /healthz: true when the database answers.
  virtual bool healthy() = 0;
  // For /metrics: rooms not ended and sessions not ended.
  virtual std::int64_t active_rooms() = 0;
  virtual std::int64_t active_sessions() = 0;
};

}  // namespace mucstream::sql
