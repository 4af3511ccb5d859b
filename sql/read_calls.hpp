#pragma once
// What the call and media analytics read (the views of sql/migrations/0004_call_views.sql):
// a room's timeline, a period's P2P quality, media usage per session and rooms with their
// calls. Row types only; ReadStore (read_store.hpp) declares the queries.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mucstream::sql {

// Microseconds since 1970-01-01T00:00:00Z (PostgreSQL timestamptz precision): every time
// the read side takes or returns (read_store.hpp too).
using UnixMicros = std::int64_t;

// One interval of a room's timeline (view room_timeline).
struct TimelineItem {
  std::string kind;     // present | audio_paused | video_paused | screen_share | p2p
  std::string session;  // the session (for p2p: the initiator)
  std::optional<std::string> nick, peer, peer_nick;
  UnixMicros started = 0, ended = 0;
  std::string end_source;  // event | session_end | room_end | open
  double duration_seconds = 0;
  std::string detail_json = "{}";
};

struct TimelineQuery {
  std::string room_id;
  std::vector<std::string> kinds;  // empty = all
  std::int64_t limit = 1000;       // the store returns up to limit + 1 items
};

// The kinds room_timeline has, in the order the API documents them.
const std::vector<std::string>& timeline_kinds();

// A period's P2P figures (function p2p_quality()).
struct P2PQuality {
  std::int64_t sessions = 0, completed = 0, failed = 0, interrupted = 0, ongoing = 0;
  std::int64_t with_stats = 0, relayed = 0;
  std::optional<double> relayed_share;
  std::optional<double> duration_mean_seconds, duration_p95_seconds;
  double duration_total_seconds = 0;
  std::int64_t samples = 0;
  std::optional<double> rtt_median_ms, rtt_p95_ms, jitter_mean_ms, packet_loss_mean, packet_loss_p95;
};

struct CallPeriodQuery {
  UnixMicros since = 0, until = 0;     // [since, until)
  std::optional<std::string> room_id;  // one room only
  std::int64_t page = 1, per_page = 50;
};

// One occupant session's media usage (view media_usage).
struct MediaUsageRow {
  std::string session, room_id, userid, nick;
  std::optional<std::string> type;
  UnixMicros joined = 0;
  std::optional<UnixMicros> left;
  double present_seconds = 0, audio_paused_seconds = 0, video_paused_seconds = 0, screen_share_seconds = 0;
  std::int64_t screen_shares = 0;
};

struct MediaReport {
  std::vector<MediaUsageRow> items;  // one page, by joined
  std::int64_t total = 0;            // sessions in the period (all pages)
  // Sums over all sessions of the period (all pages).
  double present_seconds = 0, audio_paused_seconds = 0, video_paused_seconds = 0, screen_share_seconds = 0;
  std::int64_t screen_shares = 0, sessions_audio_paused = 0, sessions_video_paused = 0, sessions_sharing = 0;
};

// A room with its calls (view room_calls).
struct RoomCallsRow {
  std::string room_id, jid;
  UnixMicros created = 0;
  std::optional<UnixMicros> ended;
  std::optional<std::string> ended_reason;
  double duration_seconds = 0;
  std::int64_t sessions = 0, participants = 0, event_count = 0;
  std::int64_t p2p_sessions = 0, p2p_failed = 0, p2p_interrupted = 0;
  double call_seconds = 0;
};

}  // namespace mucstream::sql
