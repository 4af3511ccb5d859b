// The room archive in a real PostgreSQL: what the materialiser keeps (corrections,
// retractions, purges, no-store, archiving off; each batch also written twice), the paging
// query against a model of the archive, and the asynchronous reader.
#include <algorithm>
#include <atomic>
#include <future>
#include <map>

#include "sql/archive_query.hpp"
#include "sql/migrate.hpp"
#include "sql/pg_archive_reader.hpp"
#include "sql/writer.hpp"
#include "tests/sql/archive_support.hpp"
#include "tests/sql/support.hpp"

using namespace mucstream;
using namespace mucstream::testing;

namespace {

constexpr std::int64_t kStart = 1764720000000;  // 2025-12-03

// The archive table and every body the events table still holds, as one comparable text.
std::string archive_state(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  return tx.exec1(
               "SELECT coalesce(string_agg(t, '|' ORDER BY t), '') FROM ("
               " SELECT concat_ws(',', stanza_id, ordinal, payload, edited, edited_by_id, retracted, moderated,"
               "  retracted_by, retract_reason) AS t FROM archive"
               " UNION ALL SELECT concat_ws(',', id, data->>'payload') FROM events WHERE data ? 'payload') x")[0]
      .as<std::string>();
}

std::int64_t count(pqxx::connection& c, const std::string& sql) {
  pqxx::nontransaction tx(c);
  return tx.exec1(sql)[0].as<std::int64_t>();
}

// Writes the batch, then writes it again and an overlapping tail (a redelivery): the
// archive and the bodies in events must be the same after each.
void write_twice(sql::EventWriter& w, pqxx::connection& c, const std::vector<core::Event>& batch) {
  w.write(batch);
  const std::string once = archive_state(c);
  CHECK(w.write(batch).inserted == 0);
  std::vector<core::Event> tail(batch.begin() + static_cast<std::ptrdiff_t>(batch.size() / 2), batch.end());
  w.write(tail);
  CHECK(archive_state(c) == once);
}

core::ArchivePage page_of(pqxx::connection& c, const core::ArchiveQuery& q, std::uint32_t cap = 100) {
  pqxx::read_transaction tx(c);
  auto r = sql::query_archive(tx, q, cap);
  REQUIRE(std::holds_alternative<core::ArchivePage>(r));
  return std::get<core::ArchivePage>(r);
}

std::vector<std::string> ids_of(const core::ArchivePage& p) {
  std::vector<std::string> out;
  for (const auto& m : p.messages) out.push_back(m.stanza_id);
  return out;
}

}  // namespace

TEST_CASE("sql: the archive keeps each message as it is now, and retractions take the body out of PostgreSQL") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  sql::EventWriter w(c);
  events::UuidV7Ids ids;
  RoomLog room(ids, "r@rooms.test", kStart);

  const core::Event created = room.created();
  const core::Event m1 = room.message("ann", "first secret");
  const core::Event m2 = room.message("ben", "second");
  const core::Event hinted = room.message("ann", "not stored", true);
  write_twice(w, c, {created, m1, m2, hinted});
  CHECK(count(c, "SELECT count(*) FROM archive") == 2);  // the no-store message is relayed, not archived
  CHECK(count(c, "SELECT max(ordinal) FROM archive") == 2);

  // Correct m1 twice (the second wins, also when the first is delivered again later), then
  // retract it; moderate m2 with a reason. One batch each, each written twice.
  const core::Event fix1 = room.corrected(m1.id, "ann", "first edit");
  const core::Event fix2 = room.corrected(m1.id, "ann", "second edit");
  write_twice(w, c, {fix1, fix2});
  w.write({fix1});
  {
    pqxx::read_transaction tx(c);
    const auto row = tx.exec_params1("SELECT payload, edited_by_id::text FROM archive WHERE stanza_id = $1::uuid", m1.id);
    CHECK(row[0].as<std::string>().find("second edit") != std::string::npos);
    CHECK(row[1].as<std::string>() == fix2.id);
  }
  // A correction naming a message of another room lifetime changes nothing.
  RoomLog other(ids, "o@rooms.test", kStart + 100);
  const core::Event o1 = other.created();
  const core::Event cross = other.corrected(m2.id, "eve", "hijack");
  write_twice(w, c, {o1, cross});
  CHECK(count(c, "SELECT count(*) FROM archive WHERE payload LIKE '%hijack%'") == 0);

  write_twice(w, c, {room.retracted(m1.id), room.retracted(m2.id, true, "spam")});
  {
    pqxx::read_transaction tx(c);
    const auto a = tx.exec_params1(
        "SELECT payload IS NULL, retracted IS NOT NULL, moderated, retracted_by FROM archive WHERE stanza_id = $1::uuid",
        m1.id);
    CHECK(a[0].as<bool>());
    CHECK(a[1].as<bool>());
    CHECK_FALSE(a[2].as<bool>());
    CHECK(a[3].is_null());
    const auto b = tx.exec_params1(
        "SELECT payload IS NULL, moderated, retracted_by, retract_reason FROM archive WHERE stanza_id = $1::uuid", m2.id);
    CHECK(b[0].as<bool>());
    CHECK(b[1].as<bool>());
    CHECK(b[2].as<std::string>() == "mod");
    CHECK(b[3].as<std::string>() == "spam");
  }
  // The bodies are gone from PostgreSQL, the original's and its corrections'; the events stay.
  for (const char* text : {"first secret", "first edit", "second edit", "second"}) {
    CAPTURE(text);
    CHECK(count(c, std::string("SELECT count(*) FROM events WHERE data::text LIKE '%") + text + "%'") == 0);
    CHECK(count(c, std::string("SELECT count(*) FROM archive WHERE payload LIKE '%") + text + "%'") == 0);
  }
  CHECK(count(c, "SELECT count(*) FROM events WHERE type IN ('message_sent', 'message_corrected')") == 6);
  // A later redelivery of the correction does not bring the text back.
  w.write({fix2});
  CHECK(count(c, "SELECT count(*) FROM archive WHERE payload IS NOT NULL AND room_id = '" + room.room_id() + "'") == 0);
}

TEST_CASE("sql: archiving switched off in the room config skips messages, and purge removes every body of the room") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  sql::EventWriter w(c);
  events::UuidV7Ids ids;
  RoomLog room(ids, "p@rooms.test", kStart);
  const core::Event a = room.message("ann", "kept a");
  // Off and on again within one batch, and off across batches: decided at each message's time.
  write_twice(w, c, {room.created(), a, room.configured(false), room.message("ann", "off 1"), room.configured(true),
                     room.message("ann", "kept b")});
  write_twice(w, c, {room.configured(false)});
  write_twice(w, c, {room.message("ben", "off 2")});
  CHECK(count(c, "SELECT count(*) FROM archive") == 2);
  CHECK(count(c, "SELECT count(*) FROM archive WHERE payload LIKE '%off%'") == 0);
  CHECK(count(c, "SELECT (string_agg(ordinal::text, ',' ORDER BY stanza_id) = '1,2')::int FROM archive") == 1);

  // A room created with archiving off archives nothing; the other room is not purged.
  RoomLog quiet(ids, "q@rooms.test", kStart);
  write_twice(w, c, {quiet.created(false), quiet.message("eve", "unarchived")});
  CHECK(count(c, "SELECT count(*) FROM archive WHERE room_id = '" + quiet.room_id() + "'") == 0);

  RoomLog keep(ids, "k@rooms.test", kStart);
  write_twice(w, c, {keep.created(), keep.message("fay", "other room")});
  write_twice(w, c, {room.corrected(a.id, "ann", "kept a edited"), room.destroyed(true)});
  CHECK(count(c, "SELECT count(*) FROM archive WHERE room_id = '" + room.room_id() + "' AND payload IS NOT NULL") == 0);
  CHECK(count(c, "SELECT count(*) FROM archive WHERE room_id = '" + room.room_id() + "'") == 2);  // rows stay
  for (const char* text : {"kept a", "kept b", "off 1", "off 2"}) {
    CAPTURE(text);
    CHECK(count(c, std::string("SELECT count(*) FROM events WHERE data::text LIKE '%") + text + "%'") == 0);
  }
  CHECK(count(c, "SELECT count(*) FROM events WHERE data::text LIKE '%other room%'") == 1);
  CHECK(count(c, "SELECT count(*) FROM archive WHERE payload LIKE '%other room%'") == 1);
  // A destroy without purge keeps the bodies.
  write_twice(w, c, {keep.destroyed(false)});
  CHECK(count(c, "SELECT count(*) FROM archive WHERE payload LIKE '%other room%'") == 1);
}

TEST_CASE("sql: archive pages forward, backward and by id, with count and index, as XEP-0059 and XEP-0313 say") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  sql::EventWriter w(c);
  events::UuidV7Ids ids;
  RoomLog room(ids, "big@rooms.test", kStart);
  RoomLog noise(ids, "noise@rooms.test", kStart);
  std::vector<core::Event> batch{room.created(), noise.created()};
  std::vector<core::Event> msgs;  // the model: the room's archive in order
  const char* nicks[] = {"ann", "ben", "cat"};
  for (int i = 0; i < 300; ++i) {
    msgs.push_back(room.message(nicks[i % 3], "m" + std::to_string(i)));
    batch.push_back(msgs.back());
    batch.push_back(noise.message("zed", "n" + std::to_string(i)));
    if (batch.size() > 100) {
      w.write(batch);
      batch.clear();
    }
  }
  w.write(batch);
  auto id = [&](int i) { return msgs[static_cast<std::size_t>(i)].id; };
  auto range = [&](int from, int to) {  // ids of msgs[from, to)
    std::vector<std::string> out;
    for (int i = from; i < to; ++i) out.push_back(id(i));
    return out;
  };
  core::ArchiveQuery q;
  q.room = "big@rooms.test";
  q.room_id = room.room_id();
  q.max = 50;

  SUBCASE("no bounds: the oldest page, then forward after its last") {
    auto p = page_of(c, q);
    CHECK(ids_of(p) == range(0, 50));
    CHECK_FALSE(p.complete);
    CHECK(p.count == 300);
    CHECK(p.first_index == 0);
    CHECK(p.messages[1].nick == "ben");
    CHECK(p.messages[1].payload == "<body>m1</body>");
    CHECK(p.messages[1].jid == "ben@example.com/phone");
    CHECK(p.messages[1].time_ms == msgs[1].time_ms);
    q.rsm_after = id(249);
    p = page_of(c, q);
    CHECK(ids_of(p) == range(250, 300));
    CHECK(p.complete);
    CHECK(p.first_index == 250);
    q.rsm_after = id(299);
    p = page_of(c, q);
    CHECK(p.messages.empty());
    CHECK(p.complete);
    CHECK(p.count == 300);
  }
  SUBCASE("the last page, then backward before its first, to the start") {
    q.rsm_last_page = true;
    auto p = page_of(c, q);
    CHECK(ids_of(p) == range(250, 300));
    CHECK_FALSE(p.complete);
    CHECK(p.first_index == 250);
    q.rsm_last_page = false;
    q.rsm_before = id(40);
    p = page_of(c, q);
    CHECK(ids_of(p) == range(0, 40));
    CHECK(p.complete);
    CHECK(p.first_index == 0);
    q.flip = true;
    p = page_of(c, q);
    auto flipped = range(0, 40);
    std::reverse(flipped.begin(), flipped.end());
    CHECK(ids_of(p) == flipped);
    CHECK(p.first_index == 39);
  }
  SUBCASE("max is capped by the reader; max 0 only counts") {
    q.max = 1000;
    CHECK(page_of(c, q, 100).messages.size() == 100);
    q.max = 0;
    auto p = page_of(c, q);
    CHECK(p.messages.empty());
    CHECK(p.count == 300);
  }
  SUBCASE("XEP-0313 after-id and before-id bound the query, and count counts within them") {
    q.after_id = id(99);
    q.before_id = id(120);
    auto p = page_of(c, q);
    CHECK(ids_of(p) == range(100, 120));
    CHECK(p.complete);
    CHECK(p.count == 20);
    CHECK(p.first_index == 0);
    // "everything after id X" where X is 50 from the end
    q.before_id.reset();
    q.after_id = id(249);
    q.max = 100;
    p = page_of(c, q);
    CHECK(ids_of(p) == range(250, 300));
    CHECK(p.complete);
    CHECK(p.count == 50);
  }
  SUBCASE("start and end are inclusive times") {
    q.start_ms = msgs[10].time_ms;
    q.end_ms = msgs[19].time_ms;
    auto p = page_of(c, q);
    CHECK(ids_of(p) == range(10, 20));
    CHECK(p.count == 10);
    CHECK(p.complete);
  }
  SUBCASE("with a nick or a bare JID, and ids") {
    q.with_nick = "ben";
    q.max = 10;
    auto p = page_of(c, q);
    REQUIRE(p.messages.size() == 10);
    for (std::size_t i = 0; i < 10; ++i) CHECK(p.messages[i].stanza_id == id(static_cast<int>(3 * i + 1)));
    CHECK(p.count == 100);
    CHECK(p.first_index == 0);
    q.rsm_after = p.messages.back().stanza_id;
    CHECK(page_of(c, q).first_index == 10);
    q.with_nick.reset();
    q.rsm_after.reset();
    q.max = 50;
    q.with_bare_jid = "cat@example.com";
    CHECK(page_of(c, q).count == 100);
    q.with_bare_jid = "cat@example.co";
    CHECK(page_of(c, q).count == 0);
    q.with_bare_jid.reset();
    q.ids = {id(5), id(7), "not-an-id", noise.room_id()};
    p = page_of(c, q);
    CHECK(ids_of(p) == std::vector<std::string>{id(5), id(7)});
    CHECK(p.count == 2);
  }
  SUBCASE("an id that is not in this room's archive is item-not-found") {
    for (std::string bad : {std::string("not-an-id"), room.room_id(), batch.back().id}) {
      CAPTURE(bad);
      q.rsm_after = bad;
      pqxx::read_transaction tx(c);
      auto r = sql::query_archive(tx, q, 100);
      REQUIRE(std::holds_alternative<core::ArchiveFailure>(r));
      CHECK(std::get<core::ArchiveFailure>(r) == core::ArchiveFailure::item_not_found);
    }
    q.rsm_after.reset();
    q.before_id = batch.back().id;  // a message of the other room
    pqxx::read_transaction tx(c);
    CHECK(std::holds_alternative<core::ArchiveFailure>(sql::query_archive(tx, q, 100)));
  }
  SUBCASE("corrections and tombstones page as they are now") {
    w.write({room.corrected(id(3), "ann", "edited"), room.retracted(id(4), true, "rude")});
    q.max = 3;
    q.rsm_after = id(2);
    auto p = page_of(c, q);
    REQUIRE(p.messages.size() == 3);
    CHECK(p.messages[0].payload.find("edited") != std::string::npos);
    CHECK(p.messages[0].edited_ms.has_value());
    CHECK(p.messages[1].payload.empty());
    CHECK(p.messages[1].retracted_ms.has_value());
    CHECK(p.messages[1].moderated);
    CHECK(p.messages[1].retract_reason == "rude");
    CHECK(p.messages[1].retracted_by == "mod");
    CHECK_FALSE(p.messages[2].retracted_ms.has_value());
  }
  SUBCASE("metadata: the first and last message") {
    pqxx::read_transaction tx(c);
    const core::ArchiveEnds e = sql::archive_ends(tx, room.room_id());
    CHECK(e.first_id == id(0));
    CHECK(e.first_ms == msgs[0].time_ms);
    CHECK(e.last_id == id(299));
    CHECK(e.last_ms == msgs[299].time_ms);
    CHECK_FALSE(sql::archive_ends(tx, ids.next_id(kStart)).first_id.has_value());
  }
}

TEST_CASE("sql: the archive reader answers off the caller's thread once the store reached the room's seq") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  sql::EventWriter w(c);
  events::UuidV7Ids ids;
  RoomLog room(ids, "live@rooms.test", kStart);
  const core::Event first = room.message("ann", "stored");
  w.write({room.created(), first});
  const core::Event late = room.message("ben", "seen by occupants, not stored yet");

  sql::ArchiveReaderConfig cfg;
  cfg.pg = db.conn_string();
  cfg.catch_up_timeout_ms = 3000;
  sql::PgArchiveReader reader(cfg);
  core::ArchiveQuery q;
  q.room_id = room.room_id();
  q.min_seq = static_cast<std::int64_t>(late.seq);  // the room's seq when the query arrived
  q.rsm_last_page = true;

  std::promise<core::ArchiveResult> answer;
  std::atomic<bool> called_back{false};
  const auto caller = std::this_thread::get_id();
  std::thread::id answered_on;
  reader.query(q, [&](core::ArchiveResult r) {
    answered_on = std::this_thread::get_id();
    called_back = true;
    answer.set_value(std::move(r));
  });
  CHECK_FALSE(called_back.load());  // returned without waiting for the store
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_FALSE(called_back.load());  // still waiting for the materialiser
  w.write({late});
  auto fut = answer.get_future();
  REQUIRE(fut.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  const auto r = fut.get();
  REQUIRE(std::holds_alternative<core::ArchivePage>(r));
  CHECK(ids_of(std::get<core::ArchivePage>(r)) == std::vector<std::string>{first.id, late.id});
  CHECK(answered_on != caller);

  // A store that never gets there: not_caught_up after the timeout; metadata too.
  sql::ArchiveReaderConfig quick = cfg;
  quick.catch_up_timeout_ms = 200;
  sql::PgArchiveReader impatient(quick);
  q.min_seq = 1000;
  std::promise<core::ArchiveResult> stale;
  const auto asked = std::chrono::steady_clock::now();
  impatient.query(q, [&](core::ArchiveResult res) { stale.set_value(std::move(res)); });
  auto sf = stale.get_future();
  REQUIRE(sf.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  CHECK(std::chrono::steady_clock::now() - asked >= std::chrono::milliseconds(200));
  const auto s = sf.get();
  REQUIRE(std::holds_alternative<core::ArchiveFailure>(s));
  CHECK(std::get<core::ArchiveFailure>(s) == core::ArchiveFailure::not_caught_up);
  std::promise<core::ArchiveEndsResult> ends;
  reader.ends(room.room_id(), 2, [&](core::ArchiveEndsResult e) { ends.set_value(std::move(e)); });
  auto ef = ends.get_future();
  REQUIRE(ef.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  const auto e = ef.get();
  REQUIRE(std::holds_alternative<core::ArchiveEnds>(e));
  CHECK(std::get<core::ArchiveEnds>(e).last_id == late.id);

  // PostgreSQL out of reach: unavailable, not a hang.
  sql::ArchiveReaderConfig down = cfg;
  down.pg = "host=127.0.0.1 port=1 connect_timeout=2";
  sql::PgArchiveReader nowhere(down);
  std::promise<core::ArchiveResult> failed;
  nowhere.query(q, [&](core::ArchiveResult res) { failed.set_value(std::move(res)); });
  auto ff = failed.get_future();
  REQUIRE(ff.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  const auto f = ff.get();
  REQUIRE(std::holds_alternative<core::ArchiveFailure>(f));
  CHECK(std::get<core::ArchiveFailure>(f) == core::ArchiveFailure::unavailable);
}
