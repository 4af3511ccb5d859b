// An occupant session's media row (sql/media_session_rollups.cpp, migration 0023) against a
// real PostgreSQL: a session that pauses and resumes in batch after batch has its row
// extended by each batch's events and always equal to mucstream_media_session_facts over all
// its events; an event older than the row's last makes the session computed whole again; and
// an extended row keeps the seconds of events no longer in `events` (what a purge of old
// partitions leaves), which a computation from the events could not.
#include "events/envelope.hpp"
#include "sql/migrate.hpp"
#include "sql/writer.hpp"
#include "tests/events/scenario.hpp"
#include "tests/sql/support.hpp"

using namespace mucstream;
using namespace mucstream::testing;

namespace {

// The session's row and the view's computation for it, as text (seconds to 6 decimals: the
// row's sums are added in another order than the view's).
const char* const kRow =
    "SELECT coalesce((SELECT format('%s %s %s %s %s %s %s %s', joined, round(audio_paused_seconds::numeric, 6),"
    " round(video_paused_seconds::numeric, 6), round(screen_share_seconds::numeric, 6), screen_shares, audio_open,"
    " video_open, screen_open) FROM rollup_media_sessions WHERE room_id = $1 AND session = $2), 'no row')";
const char* const kComputed =
    "SELECT coalesce((SELECT format('%s %s %s %s %s %s %s %s', joined, round(audio_paused_seconds::numeric, 6),"
    " round(video_paused_seconds::numeric, 6), round(screen_share_seconds::numeric, 6), screen_shares, audio_open,"
    " video_open, screen_open) FROM mucstream_media_session_facts WHERE room_id = $1 AND session = $2), 'no row')";

struct Session {
  core::Event like;  // the room's fields, for the events made below
  std::string actor;
  std::uint64_t seq = 0;
  std::int64_t time_ms = 0;
};

core::Event media(World& w, const Session& s, core::EventType type, std::uint64_t seq, std::int64_t time_ms) {
  core::Event e;
  e.id = w.ids.next_id(time_ms);
  e.room = s.like.room;
  e.room_id = s.like.room_id;
  e.actor = s.actor;
  e.time_ms = time_ms;
  e.seq = seq;
  core::Value d = core::Value::object();
  d.set("source", "presence");
  e.set_data(events::read_data(type, std::move(d)));
  return e;
}

std::string one(pqxx::connection& c, const char* sql, const Session& s) {
  pqxx::nontransaction tx(c);
  return tx.exec_params1(sql, s.like.room_id, s.actor)[0].as<std::string>();
}

const char* const kAudioSeconds =
    "SELECT coalesce((SELECT round(audio_paused_seconds::numeric, 6)::text FROM rollup_media_sessions"
    " WHERE room_id = $1 AND session = $2), 'no row')";

}  // namespace

TEST_CASE("sql: a session's media row is extended batch by batch, computed again for a late event, and keeps purged events' seconds") {
  using T = core::EventType;
  TestDb db;
  World w;
  run_scenario(w, 1, 40, 5);
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  sql::EventWriter writer(c);
  writer.write(w.log);

  Session s;
  for (const core::Event& e : w.log) {
    if (e.type == T::occupant_joined && s.actor.empty()) {
      s.like = e;
      s.actor = e.actor;
    }
    if (e.room_id == s.like.room_id) s.seq = std::max(s.seq, e.seq);
    s.time_ms = std::max(s.time_ms, e.time_ms);
  }
  REQUIRE(!s.actor.empty());

  // Each batch: the audio paused for 7 s; the video paused in every fifth batch and resumed
  // two batches later; a screen share started in every seventh batch and ended in the next.
  // Every other seq is left free for the late event below.
  std::uint64_t late_seq = 0;
  std::int64_t late_time = 0;
  for (int b = 0; b < 30; ++b) {
    std::vector<core::Event> batch;
    auto add = [&](T type, std::int64_t after_ms) {
      s.seq += 2;
      s.time_ms += after_ms;
      batch.push_back(media(w, s, type, s.seq, s.time_ms));
    };
    add(T::audio_paused, 60000);
    if (b == 12) {
      late_seq = s.seq + 1;
      late_time = s.time_ms + 1000;
    }
    add(T::audio_resumed, 7000);
    if (b % 5 == 0) add(T::video_paused, 1000);
    if (b % 5 == 2) add(T::video_resumed, 1000);
    if (b % 7 == 0) add(T::screencapture_started, 2000);
    if (b % 7 == 1) add(T::screencapture_ended, 3000);
    if (b == 29) add(T::video_paused, 500);  // left open
    REQUIRE(writer.write(batch).inserted == batch.size());
    CAPTURE(b);
    CHECK(one(c, kRow, s) == one(c, kComputed, s));
  }
  CHECK(one(c, kAudioSeconds, s) == "210.000000");  // 30 pauses of 7 s
  CHECK(one(c, kRow, s).find("{") != std::string::npos);  // the last video pause is open
  {
    pqxx::nontransaction tx(c);
    const pqxx::row r = tx.exec_params1(
        "SELECT last_seq, last_time = (SELECT max(time) FROM events WHERE room_id = $1 AND actor = $2"
        " AND type LIKE ANY (ARRAY['audio_%', 'video_%', 'screencapture_%'])) FROM rollup_media_sessions"
        " WHERE room_id = $1 AND session = $2",
        s.like.room_id, s.actor);
    CHECK(r[0].as<std::uint64_t>() == s.seq);
    CHECK(r[1].as<bool>());
  }

  // A pause older than the row's last event, inside batch 12's 7-second pause: the view
  // closes it with that batch's resume; extending the row would have left it open.
  const std::string before_late = one(c, kRow, s);
  REQUIRE(writer.write({media(w, s, T::audio_paused, late_seq, late_time)}).inserted == 1);
  CHECK(one(c, kRow, s) == one(c, kComputed, s));
  CHECK(one(c, kRow, s) != before_late);
  CHECK(one(c, kAudioSeconds, s) == "216.000000");  // and 6 s more

  // The session's older media events leave `events` (as whole partitions do when retention
  // drops them); the next batch extends the row, which keeps what they added.
  {
    pqxx::nontransaction tx(c);
    CHECK(tx.exec_params("DELETE FROM events WHERE room_id = $1 AND actor = $2 AND seq < $3"
                         " AND type IN ('audio_paused', 'audio_resumed')",
                         s.like.room_id, s.actor, s.seq - 20)
              .affected_rows() > 40);
  }
  s.seq += 2;
  s.time_ms += 60000;
  std::vector<core::Event> last{media(w, s, T::audio_paused, s.seq, s.time_ms)};
  s.seq += 2;
  s.time_ms += 5000;
  last.push_back(media(w, s, T::audio_resumed, s.seq, s.time_ms));
  REQUIRE(writer.write(last).inserted == 2);
  CHECK(one(c, kAudioSeconds, s) == "221.000000");
  CHECK(one(c, kRow, s) != one(c, kComputed, s));
}
