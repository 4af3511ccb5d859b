// What one batch with a media pause and resume costs the materialiser when the occupant
// session already has a long media history (run through tools/bench/media_history.sh, which
// starts PostgreSQL):
//   for each history size H: one room and session with H stored media events (pauses and
//   resumes one second apart, inserted in SQL), then ROUNDS alternated pairs of batches of
//   {audio_paused, audio_resumed} through the writer: one extending the session's media row
//   (the row knows its last event), one with the row's extent cleared first, so the batch
//   computes the session again from all its media events (as every batch did before
//   migration 0023, and as a late event still does). Prints the median milliseconds of
//   EventWriter::write for each, and their ratio.
// Usage: mucstream_media_history_bench CONNINFO [ROUNDS=9] [H ...=0 1000 10000 100000]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "events/ids.hpp"
#include "sql/migrate.hpp"
#include "sql/writer.hpp"

using namespace mucstream;
using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

struct Session {
  std::string room, room_id, actor;
  std::uint64_t seq = 0;
  std::int64_t time_ms = 0;
};

core::Event media(events::UuidV7Ids& ids, Session& s, bool pause) {
  core::Event e;
  s.seq += 1;
  s.time_ms += 1000;
  e.id = ids.next_id(s.time_ms);
  e.room = s.room;
  e.room_id = s.room_id;
  e.seq = s.seq;
  e.actor = s.actor;
  e.time_ms = s.time_ms;
  if (pause) e.set_data(core::data::AudioPaused{{.source = "presence"}});
  else e.set_data(core::data::AudioResumed{{.source = "presence"}});
  return e;
}

double timed_write(sql::EventWriter& w, const std::vector<core::Event>& batch) {
  const auto t0 = Clock::now();
  if (w.write(batch).inserted != batch.size()) {
    std::fprintf(stderr, "a batch was not stored whole\n");
    std::exit(1);
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CONNINFO [ROUNDS=9] [H ...]\n", argv[0]);
    return 2;
  }
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 9;
  std::vector<long> sizes;
  for (int i = 3; i < argc; ++i) sizes.push_back(std::atol(argv[i]));
  if (sizes.empty()) sizes = {0, 1000, 10000, 100000};
  pqxx::connection c(argv[1]);
  sql::migrate(c);
  if (std::getenv("EXPLAIN")) { pqxx::nontransaction t(c); t.exec("LOAD 'auto_explain'; SET auto_explain.log_min_duration = 4; SET auto_explain.log_nested_statements = on; SET client_min_messages = log; SET log_min_duration_statement = 4"); }
  sql::EventWriter writer(c);
  events::UuidV7Ids ids;
  std::printf("| stored media events of the session | extending its row: ms per batch | computing it again | ratio |\n");
  std::printf("|---:|---:|---:|---:|\n");
  const std::int64_t t0 = 1795132800000;  // 2026-11-20T00:00:00Z
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    Session s;
    s.room = "bench" + std::to_string(k) + "@rooms.example.org";
    s.room_id = ids.next_id(t0);
    s.actor = ids.next_id(t0);
    s.time_ms = t0;
    {
      pqxx::work tx(c);
      tx.exec_params("SELECT mucstream_ensure_event_partition(d) FROM generate_series(timestamptz '2026-11-20T00:00:00Z',"
              " timestamptz '2026-11-20T00:00:00Z' + ($1::bigint + 1000) * interval '1 second', interval '1 day') d",
                     sizes[k]);
      tx.exec_params("INSERT INTO events (id, time, type, room, room_id, seq, actor, data)"
              " SELECT gen_random_uuid(), timestamptz '2026-11-20T00:00:00Z' + g * interval '1 second',"
              "  CASE WHEN g % 2 = 1 THEN 'audio_paused' ELSE 'audio_resumed' END, $1, $2::uuid, g, $3::uuid,"
              "  '{\"source\": \"presence\"}'::jsonb FROM generate_series(1, $4::bigint) g",
                     s.room, s.room_id, s.actor, sizes[k]);
      tx.exec("ANALYZE events");
      tx.commit();
    }
    s.seq = static_cast<std::uint64_t>(sizes[k]);
    s.time_ms = t0 + sizes[k] * 1000;
    timed_write(writer, {media(ids, s, true), media(ids, s, false)});  // computes the row whole, sets its extent
    std::vector<double> extend, whole;
    for (int r = 0; r < rounds; ++r) {
      extend.push_back(timed_write(writer, {media(ids, s, true), media(ids, s, false)}));
      {
        pqxx::work tx(c);
        tx.exec_params("UPDATE rollup_media_sessions SET last_seq = NULL WHERE room_id = $1::uuid", s.room_id);
        tx.commit();
      }
      whole.push_back(timed_write(writer, {media(ids, s, true), media(ids, s, false)}));
    }
    const double e = median(extend), w = median(whole);
    std::printf("| %ld | %.2f | %.2f | %.2f |\n", sizes[k], e, w, e / w);
    std::fflush(stdout);
  }
  pqxx::nontransaction tx(c);
  const pqxx::row row = tx.exec1("SELECT count(*), min(round(audio_paused_seconds)) FROM rollup_media_sessions");
  std::printf("rows: %s, least audio paused seconds: %s\n", row[0].c_str(), row[1].c_str());
  return 0;
}
