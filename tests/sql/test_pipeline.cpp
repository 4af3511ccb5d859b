// The event pipeline against real services: librdkafka's mock cluster (real Kafka protocol)
// and a real PostgreSQL 15 started by tests/scripts/pg.sh.
#include <map>
#include <set>

#include "core/decide.hpp"
#include "events/envelope.hpp"
#include "events/ids.hpp"
#include "sql/migrate.hpp"
#include "sql/replay.hpp"
#include "sql/writer.hpp"
#include "tests/events/scenario.hpp"
#include "tests/sql/support.hpp"

using namespace mucstream;
using namespace mucstream::testing;

namespace {

void produce_all(const std::string& brokers, const std::vector<core::Event>& log, int times = 1) {
  events::Producer p(events::ProducerConfig{brokers, "mucstream.events", {}, events::ProducerConfig::QueueFull::wait,
                                            1000, ""});
  for (int i = 0; i < times; ++i)
    for (const auto& e : log) p.publish(e);
  REQUIRE(p.flush(30000));
  REQUIRE(p.stats().delivered == log.size() * static_cast<std::size_t>(times));
}

std::int64_t rows(const TestDb& db) { return stored_events(db); }

// An event's data as events.data holds it: a configuration without its password hash
// (kept in room_secrets, migration 0007).
core::Value as_stored(core::Value data) {
  if (!data.is_object()) return data;
  for (auto& [key, value] : data.as_object()) {
    if (key != "config" || !value.is_object()) continue;
    auto& members = value.as_object();
    std::erase_if(members, [](const core::Value::Member& m) { return m.first == "password_hash"; });
  }
  return data;
}

// Every stored row equals the event it came from, and each room's rows are in seq order.
void check_rows_match(const TestDb& db, const std::vector<core::Event>& log) {
  std::map<std::string, const core::Event*> by_id;
  for (const auto& e : log) by_id[e.id] = &e;
  // A retraction removes the body of its target and of the target's corrections.
  std::set<std::string> retracted;
  for (const auto& e : log)
    if (const auto* r = std::get_if<core::data::MessageRetracted>(&e.data)) retracted.insert(r->target);
  for (const auto& e : log)
    if (const auto* c = std::get_if<core::data::MessageCorrected>(&e.data); c && retracted.count(c->target))
      retracted.insert(e.id);
  pqxx::connection c(db.conn_string());
  pqxx::nontransaction tx(c);
  const pqxx::result r = tx.exec(
      "SELECT id, type, room, room_id, seq, actor, peer, (extract(epoch FROM time) * 1000)::bigint, data::text,"
      "       row_number() OVER (PARTITION BY room_id ORDER BY id)"
      " FROM events ORDER BY room_id, seq");
  REQUIRE(r.size() == log.size());
  std::map<std::string, std::uint64_t> last;
  for (const auto& row : r) {
    const std::string id = row[0].as<std::string>();
    REQUIRE(by_id.count(id));
    const core::Event& e = *by_id[id];
    CAPTURE(id);
    CHECK(row[1].as<std::string>() == core::to_string(e.type));
    CHECK(row[2].as<std::string>() == e.room);
    CHECK(row[3].as<std::string>() == e.room_id);
    CHECK(row[4].as<std::uint64_t>() == e.seq);
    CHECK(row[5].is_null() == e.actor.empty());
    if (!e.actor.empty()) CHECK(row[5].as<std::string>() == e.actor);
    CHECK(row[6].is_null() == !e.peer.has_value());
    if (e.peer) CHECK(row[6].as<std::string>() == *e.peer);
    CHECK(row[7].as<std::int64_t>() == e.time_ms);
    auto data = events::decode_value(row[8].c_str());
    REQUIRE(data);
    core::Value expected = as_stored(*events::decode_value(events::encode_data(e.data)));
    if (retracted.count(id)) {
      CHECK(data->find("payload") == nullptr);  // the body is gone from PostgreSQL
      core::Value::Object kept;
      for (auto& [k, v] : expected.as_object())
        if (k != "payload") kept.emplace_back(k, v);
      expected = core::Value(std::move(kept));
    }
    CHECK(same_json(*data, expected));
    // per-room order: seq 1, 2, 3 … and the time-ordered ids agree with it
    const std::string room_id = row[3].as<std::string>();
    CHECK(e.seq == last[room_id] + 1);
    CHECK(row[9].as<std::uint64_t>() == e.seq);
    last[room_id] = e.seq;
  }
}

}  // namespace

TEST_CASE("sql: migrations apply in order, once, and give analysts read-only access") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  const auto first = sql::migrate(c);
  REQUIRE(first.size() == sql::migrations().size());
  for (std::size_t i = 0; i < first.size(); ++i) CHECK(first[i] == sql::migrations()[i].name);
  CHECK(sql::migrate(c).empty());  // safe to run twice
  CHECK(db.count("SELECT count(*) FROM schema_migrations") == static_cast<std::int64_t>(first.size()));
  CHECK(db.count("SELECT count(*) FROM pg_partitioned_table p JOIN pg_class t ON t.oid = p.partrelid"
                 " WHERE t.relname = 'events'") == 1);

  // An event in a new month creates its partition, which analysts may read but not change.
  events::UuidV7Ids ids;
  core::Event e;
  e.id = ids.next_id(1763780645123);
  e.set_data(core::data::RoomCreated{.creator = "ann@example.com"});
  e.room = "r@rooms.test";
  e.room_id = ids.next_id(1763780645123);
  e.seq = 1;
  e.time_ms = 1763780645123;  // 2025-11
  sql::EventWriter w(c);
  CHECK(w.write({e}).inserted == 1);
  CHECK(db.count("SELECT count(*) FROM events_2025m11") == 1);
  {
    pqxx::nontransaction tx(c);
    tx.exec0("CREATE ROLE ana LOGIN IN ROLE analyst");
  }
  pqxx::connection ana(db.conn_string() + " user=ana");
  {
    pqxx::work tx(ana);
    CHECK(tx.exec1("SELECT count(*) FROM events")[0].as<int>() == 1);
    CHECK(tx.exec1("SELECT count(*) FROM rooms")[0].as<int>() == 1);
    CHECK(tx.exec1("SELECT count(*) FROM users")[0].as<int>() == 0);
    CHECK(tx.exec1("SELECT count(*) FROM messages")[0].as<int>() == 0);
    CHECK(tx.exec1("SELECT count(*) FROM room_summary")[0].as<int>() == 1);
    CHECK(tx.exec1("SELECT count(*) FROM events_per_day")[0].as<int>() == 1);
  }
  for (const char* write : {"DELETE FROM events", "INSERT INTO rooms (id, name, jid, created) VALUES "
                                                  "(gen_random_uuid(), 'x', 'x@y', now())",
                            "UPDATE users SET nick = 'x'", "SELECT * FROM schema_migrations"}) {
    CAPTURE(write);
    pqxx::work tx(ana);
    CHECK_THROWS_AS(tx.exec(write), pqxx::insufficient_privilege);
  }
  pqxx::nontransaction tx(c);
  tx.exec0("DROP OWNED BY ana; DROP ROLE ana");
}

TEST_CASE("sql: N events through Kafka become exactly N rows, in per-room order") {
  TestDb db;
  std::unique_ptr<events::MockCluster> mock;
  const std::string brokers = fresh_mock(mock).bootstraps();
  World w;
  run_scenario(w, 8, 2000, 1);
  const auto n = static_cast<std::int64_t>(w.log.size());
  MESSAGE("events: ", n);
  produce_all(brokers, w.log);
  Running m(materializer_config(brokers, db));
  REQUIRE(wait_until([&] { return m.stats().consumed >= w.log.size(); }));
  REQUIRE(wait_until([&] { return m.stats().inserted >= w.log.size(); }));
  CHECK(rows(db) == n);
  check_rows_match(db, w.log);
  CHECK(m.stats().lost == 0);
  CHECK(m.stats().dead_lettered == 0);
  // rooms: one row per room lifetime, counters consistent with the events
  CHECK(db.count("SELECT count(*) FROM rooms") == db.count("SELECT count(*) FROM events WHERE type = 'room_created'"));
  CHECK(db.count("SELECT coalesce(sum(event_count), 0) FROM rooms") == n);
  CHECK(db.count("SELECT count(*) FROM rooms r WHERE last_seq <> (SELECT max(seq) FROM events e WHERE e.room_id = r.id)") == 0);
  CHECK(db.count("SELECT count(*) FROM users") == db.count("SELECT count(*) FROM events WHERE type = 'occupant_joined'"));
  CHECK(db.count("SELECT count(*) FROM users WHERE ended IS NOT NULL") ==
        db.count("SELECT count(*) FROM events WHERE type = 'occupant_left'"));
  CHECK(db.count("SELECT count(*) FROM messages") == db.count("SELECT count(*) FROM events WHERE type = 'message_sent'"));
}

TEST_CASE("sql: every talky event type lands with its actor and peer and updates rooms and users") {
  TestDb db;
  std::unique_ptr<events::MockCluster> mock;
  const std::string brokers = fresh_mock(mock).bootstraps();
  World w;
  w.instant_room("owner@example.com/desk", "owner");
  core::Join j;
  j.user = jid("ann@example.com/phone");
  j.room = core::testing::kRoom;
  j.nick = "ann";
  j.client = client_info(1);
  REQUIRE(w.run(j).ok());
  REQUIRE(w.say("ann@example.com/phone", "hi").ok());
  const std::string owner = w.room().occupant_by_nick("owner")->sessions.front().id;
  const std::string ann = w.room().occupant_by_nick("ann")->sessions.front().id;
  const std::string room_jid = w.room().jid, room_id = w.room().room_id;
  std::vector<core::Event> log = w.log;
  // The media, P2P and RTT events and the remaining room events, with actor and peer.
  struct Extra {
    core::EventType type;
    std::string actor;
    std::optional<std::string> peer;
  };
  const Extra extras[] = {
      {core::EventType::p2p_session_started, owner, ann}, {core::EventType::p2p_session_stats, owner, ann},
      {core::EventType::video_paused, ann, std::nullopt},  {core::EventType::video_resumed, ann, std::nullopt},
      {core::EventType::audio_paused, owner, std::nullopt}, {core::EventType::audio_resumed, owner, std::nullopt},
      {core::EventType::screencapture_started, owner, std::nullopt},
      {core::EventType::screencapture_ended, owner, std::nullopt}, {core::EventType::rtt_enabled, ann, std::nullopt},
      {core::EventType::rtt_disabled, ann, std::nullopt},  {core::EventType::p2p_session_ended, ann, owner},
      {core::EventType::private_message_sent, ann, owner},
      // Talky's client telemetry vocabulary.
      {core::EventType::started_speaking, ann, std::nullopt}, {core::EventType::stopped_speaking, ann, std::nullopt},
      {core::EventType::peer_stream_added, ann, owner},   {core::EventType::peer_stream_removed, ann, owner},
      {core::EventType::peer_session_added, ann, owner},  {core::EventType::peer_session_removed, ann, owner},
      {core::EventType::peer_session_connection_state, ann, owner},
      {core::EventType::peer_session_stats, ann, owner},  {core::EventType::peer_session_ice_stats, ann, owner},
      {core::EventType::ice_usage, ann, std::nullopt},
  };
  std::uint64_t seq = w.room().seq;
  for (const Extra& x : extras) {
    core::Event e;
    e.id = w.ids.next_id(w.now);
    core::Value sid = core::Value::object();
    sid.set("sid", "jingle-1");
    e.set_data(events::read_data(x.type, std::move(sid)));  // {"sid":"jingle-1"} as that type reads it
    e.room = room_jid;
    e.room_id = room_id;
    e.seq = ++seq;
    e.actor = x.actor;
    e.peer = x.peer;
    e.time_ms = w.now;
    w.now += 10;
    core::apply(w.svc, e);
    log.push_back(e);
  }
  // Configuration, lock, subject, nick, roles, affiliations, leaving, destruction by the core.
  World& live = w;
  live.log.clear();
  for (bool locked : {true, false, true})
    REQUIRE(live.run(core::SetLock{core::Requester::user(jid("owner@example.com/desk")), core::testing::kRoom, locked}).ok());
  REQUIRE(live.run(core::ChangeSubject{jid("owner@example.com/desk"), core::testing::kRoom, "plans"}).ok());
  {  // the message lifecycle: correct, retract, chat states and markers, invitations
    const auto owner_req = core::Requester::user(jid("owner@example.com/desk"));
    const core::Jid ann_jid = jid("ann@example.com/phone");
    core::ConfigChange record;
    record.record_chat_states = true;
    record.occupants_may_invite = true;
    REQUIRE(live.run(core::Configure{owner_req, core::testing::kRoom, record}).ok());
    REQUIRE(live.run(core::SendGroupchat{ann_jid, core::testing::kRoom, "<body>tpyo</body>", true, false, "m1"}).ok());
    REQUIRE(live.run(core::SendGroupchat{ann_jid, core::testing::kRoom, "<body>typo</body>", true, false, "m2", "m1"}).ok());
    REQUIRE(live.run(core::RetractMessage{core::Requester::user(ann_jid), core::testing::kRoom, "m1", false, "", "<retract/>"}).ok());
    REQUIRE(live.run(core::ObserveChatState{ann_jid, core::testing::kRoom, std::nullopt, "composing", std::nullopt}).ok());
    REQUIRE(live.run(core::ObserveChatState{ann_jid, core::testing::kRoom, std::nullopt, "", std::string("m2")}).ok());
    REQUIRE(live.run(core::Invite{ann_jid, core::testing::kRoom, jid("dave@example.com"), "join us", ""}).ok());
    REQUIRE(live.run(core::DeclineInvitation{jid("dave@example.com/d"), core::testing::kRoom, ann_jid, "busy"}).ok());
  }
  REQUIRE(live.run(core::ChangeNick{jid("ann@example.com/phone"), core::testing::kRoom, "annie"}).ok());
  REQUIRE(live.run(core::SetRole{core::Requester::user(jid("owner@example.com/desk")), core::testing::kRoom, "annie",
                                 core::Role::visitor, "quiet"}).ok());
  REQUIRE(live.run(core::RequestVoice{jid("ann@example.com/phone"), core::testing::kRoom}).ok());
  REQUIRE(live.run(core::SetAffiliation{core::Requester::user(jid("owner@example.com/desk")), core::testing::kRoom,
                                        jid("ann@example.com"), core::Affiliation::member, ""}).ok());
  REQUIRE(live.leave("ann@example.com/phone").ok());
  REQUIRE(live.run(core::DestroyRoom{core::Requester::user(jid("owner@example.com/desk")), core::testing::kRoom,
                                     "meeting over", ""}).ok());
  log.insert(log.end(), live.log.begin(), live.log.end());
  std::set<core::EventType> types;
  for (const auto& e : log) types.insert(e.type);
  CHECK(types.size() == static_cast<std::size_t>(core::kEventTypeCount));  // every type is exercised

  produce_all(brokers, log);
  Running m(materializer_config(brokers, db));
  REQUIRE(wait_until([&] { return rows(db) == static_cast<std::int64_t>(log.size()); }));
  check_rows_match(db, log);

  pqxx::connection c(db.conn_string());
  pqxx::nontransaction tx(c);
  const pqxx::row r = tx.exec_params1(
      "SELECT name, jid, ended IS NOT NULL, ended_reason, locked, creator, config->>'persistent',"
      " config ? 'password_hash', event_count FROM rooms WHERE id = $1", room_id);
  CHECK(r[0].as<std::string>() == "room");
  CHECK(r[1].as<std::string>() == core::testing::kRoom);
  CHECK(r[2].as<bool>());
  CHECK(r[3].as<std::string>() == "meeting over");
  CHECK(r[4].as<bool>());
  CHECK(r[5].as<std::string>() == "owner@example.com");
  CHECK_FALSE(r[7].as<bool>());  // no password hashes in the analysts' rooms table
  CHECK(r[8].as<std::size_t>() == log.size());
  const pqxx::row u = tx.exec_params1(
      "SELECT userid, nick, type, os, browser, useragent, ended IS NOT NULL, jid FROM users WHERE sessionid = $1", ann);
  const core::Value ci = client_info(1);
  CHECK(u[0].as<std::string>() == "ann@example.com");
  CHECK(u[1].as<std::string>() == "ann");
  CHECK(u[2].as<std::string>() == ci.get_string("type"));
  CHECK(u[3].as<std::string>() == ci.get_string("os"));
  CHECK(u[4].as<std::string>() == ci.get_string("browser"));
  CHECK(u[5].as<std::string>() == ci.get_string("useragent"));
  CHECK(u[6].as<bool>());
  CHECK(u[7].as<std::string>() == "ann@example.com/phone");
  // the owner left when the room was destroyed
  CHECK(tx.exec_params1("SELECT ended IS NOT NULL FROM users WHERE sessionid = $1", owner)[0].as<bool>());
  const auto owner_to_ann = std::count_if(log.begin(), log.end(), [&](const core::Event& e) {
    return e.actor == owner && e.peer == ann;
  });
  CHECK(owner_to_ann >= 3);  // p2p start, stats, and the core's role/affiliation changes
  CHECK(tx.exec_params1("SELECT count(*) FROM events WHERE peer = $1 AND actor = $2", ann, owner)[0].as<long>() ==
        owner_to_ann);
}

TEST_CASE("sql: the same batch delivered twice changes nothing") {
  TestDb db;
  World w;
  run_scenario(w, 4, 600, 2);
  const auto n = static_cast<std::int64_t>(w.log.size());
  const std::string snapshot =
      "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM ("
      " SELECT id::text, ended, last_seq, event_count, locked, persistent, config::text FROM rooms"
      " UNION ALL SELECT sessionid::text, ended, 0, 0, false, false, nick FROM users) t";
  {
    pqxx::connection c(db.conn_string());
    sql::migrate(c);
    sql::EventWriter writer(c);
    const sql::WriteResult first = writer.write(w.log);
    CHECK(first.inserted == w.log.size());
    pqxx::connection c2(db.conn_string());
    std::string before;
    {
      pqxx::nontransaction tx(c2);
      before = tx.exec1(snapshot)[0].as<std::string>();
    }
    const sql::WriteResult again = writer.write(w.log);
    CHECK(again.inserted == 0);
    CHECK(again.duplicates == w.log.size());
    // overlapping halves, as a consumer that restarted mid-way would deliver them
    std::vector<core::Event> tail(w.log.begin() + static_cast<std::ptrdiff_t>(w.log.size() / 3), w.log.end());
    CHECK(writer.write(tail).inserted == 0);
    CHECK(rows(db) == n);
    pqxx::nontransaction tx(c2);
    CHECK(tx.exec1(snapshot)[0].as<std::string>() == before);
  }
  // Through Kafka: every envelope twice on the topic (a producer retry without idempotence).
  TestDb db2;
  std::unique_ptr<events::MockCluster> mock;
  const std::string brokers = fresh_mock(mock).bootstraps();
  produce_all(brokers, w.log, 2);
  Running m(materializer_config(brokers, db2));
  REQUIRE(wait_until([&] { return m.stats().consumed >= 2 * w.log.size(); }));
  REQUIRE(wait_until([&] { return m.stats().inserted + m.stats().duplicates >= 2 * w.log.size(); }));
  CHECK(rows(db2) == n);
  CHECK(m.stats().duplicates == w.log.size());
  CHECK(db2.count("SELECT coalesce(sum(event_count), 0) FROM rooms") == n);
  check_rows_match(db2, w.log);
}

TEST_CASE("sql: a materialiser crashing between the PostgreSQL commit and the Kafka commit loses and duplicates nothing") {
  TestDb db;
  std::unique_ptr<events::MockCluster> mock;
  const std::string brokers = fresh_mock(mock).bootstraps();
  World w;
  run_scenario(w, 8, 3000, 4);
  const auto n = static_cast<std::int64_t>(w.log.size());
  produce_all(brokers, w.log);
  std::uint64_t consumed_before_crash = 0;
  {
    auto cfg = materializer_config(brokers, db);
    cfg.batch_max = 100;
    cfg.after_pg_commit = [](std::uint64_t batch, const std::vector<core::Event>&) {
      if (batch == 3) throw std::runtime_error("simulated crash after the PostgreSQL commit");
    };
    Running crashing(cfg);
    REQUIRE(wait_until([&] { return crashing.done(); }));
    CHECK(crashing.error() == "simulated crash after the PostgreSQL commit");
    consumed_before_crash = crashing.stats().consumed;
  }
  const std::int64_t stored = rows(db);
  CHECK(stored > 0);
  CHECK(stored < n);  // killed mid-stream
  Running m(materializer_config(brokers, db));
  REQUIRE(wait_until([&] { return rows(db) == n && m.stats().duplicates > 0; }));
  // The third batch was in PostgreSQL but not committed to Kafka: redelivered, deduplicated.
  CHECK(m.stats().duplicates > 0);
  CHECK(m.stats().duplicates <= consumed_before_crash);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  CHECK(rows(db) == n);
  CHECK(db.count("SELECT count(DISTINCT id) FROM events") == n);
  CHECK(db.count("SELECT coalesce(sum(event_count), 0) FROM rooms") == n);
  check_rows_match(db, w.log);
}

TEST_CASE("sql: a poison message is dead-lettered with its reason and the rest materialised") {
  TestDb db;
  std::unique_ptr<events::MockCluster> mock;
  const std::string brokers = fresh_mock(mock).bootstraps();
  World w;
  run_scenario(w, 3, 300, 6);
  const std::size_t half = w.log.size() / 2;
  std::string wrong_version = events::encode(w.log[0]);
  wrong_version.replace(0, 6, "{\"v\":9");
  std::string bad_type = events::encode(w.log[1]);
  bad_type.replace(bad_type.find(core::to_string(w.log[1].type)), core::to_string(w.log[1].type).size(), "teleported");
  const std::vector<std::pair<std::string, std::string>> poison = {
      {"not json at all", "malformed JSON"},
      {wrong_version, "unsupported schema version 9"},
      {bad_type, "unknown event type 'teleported'"},
  };
  {
    events::Producer p(events::ProducerConfig{brokers, "mucstream.events", {}, events::ProducerConfig::QueueFull::wait,
                                              1000, ""});
    for (std::size_t i = 0; i < half; ++i) p.publish(w.log[i]);
    for (const auto& [payload, why] : poison) p.produce_raw("mucstream.events", core::testing::kRoom, payload);
    for (std::size_t i = half; i < w.log.size(); ++i) p.publish(w.log[i]);
    REQUIRE(p.flush(30000));
  }
  Running m(materializer_config(brokers, db));
  REQUIRE(wait_until([&] { return rows(db) == static_cast<std::int64_t>(w.log.size()) && m.stats().dead_lettered == 3; }));
  check_rows_match(db, w.log);

  events::Consumer dlq(events::ConsumerConfig{brokers, "dlq-reader", {"mucstream.events.dlq"}, kFastGroup});
  std::map<std::string, std::string> reason_of;
  wait_until([&] {
    if (auto msg = dlq.poll(200)) {
      const std::string payload(static_cast<const char*>(msg->payload()), msg->len());
      RdKafka::Headers* h = msg->headers();  // owned by the message
      REQUIRE(h);
      const RdKafka::Headers::Header reason = h->get_last("mucstream.reason");
      reason_of[payload] = std::string(static_cast<const char*>(reason.value()), reason.value_size());
      CHECK(h->get_last("mucstream.source").value_size() > 0);
    }
    return reason_of.size() == poison.size();
  }, 60);
  REQUIRE(reason_of.size() == poison.size());
  for (const auto& [payload, why] : poison) {
    CAPTURE(payload);
    CHECK(reason_of[payload].find(why) != std::string::npos);
  }
}

TEST_CASE("sql: rooms rebuilt by replaying stored events equal the live rooms") {
  TestDb db;
  std::unique_ptr<events::MockCluster> mock;
  const std::string brokers = fresh_mock(mock).bootstraps();
  World w;
  run_scenario(w, 6, 1500, 8);
  produce_all(brokers, w.log);
  Running m(materializer_config(brokers, db));
  REQUIRE(wait_until([&] { return rows(db) == static_cast<std::int64_t>(w.log.size()); }));
  pqxx::connection c(db.conn_string());
  sql::ReplayStats st;
  const core::Service restored = sql::replay_service(c, &st);
  const core::Service live = core::persistent_view(w.svc);
  REQUIRE(live.rooms.size() >= 3);  // rooms 0 (re-created), 2, 4 are persistent
  CHECK(st.rooms == live.rooms.size());
  CHECK(st.gaps == 0);
  CHECK(restored.rooms.count(room_name(0)) == 1);
  CHECK(restored.rooms.at(room_name(0)).room_id == live.rooms.at(room_name(0)).room_id);  // the new lifetime
  for (const auto& [jid_, room] : live.rooms) {
    CAPTURE(jid_);
    REQUIRE(restored.rooms.count(jid_) == 1);
    CHECK(restored.rooms.at(jid_) == room);
  }
  CHECK(restored == live);
}

TEST_CASE("sql: an event PostgreSQL refuses is dead-lettered with the database's reason and the rest of its batch lands") {
  TestDb db;
  {
    pqxx::connection c(db.conn_string());
    sql::migrate(c);
    // A rule added by an operator that one event breaks (any data error behaves the same).
    pqxx::nontransaction tx(c);
    tx.exec0("ALTER TABLE events ADD CONSTRAINT no_shouting CHECK (data->>'payload' IS DISTINCT FROM '<body>SHOUT</body>')");
  }
  std::unique_ptr<events::MockCluster> mock;
  const std::string brokers = fresh_mock(mock).bootstraps();
  World w;
  w.instant_room();
  REQUIRE(w.say("owner@example.com/desk", "hello").ok());
  REQUIRE(w.say("owner@example.com/desk", "SHOUT").ok());
  REQUIRE(w.say("owner@example.com/desk", "sorry").ok());
  const core::Event refused = w.log[w.log.size() - 2];
  produce_all(brokers, w.log);
  Running m(materializer_config(brokers, db));
  REQUIRE(wait_until([&] { return m.stats().dead_lettered == 1 && rows(db) == static_cast<std::int64_t>(w.log.size() - 1); }));
  CHECK(db.count("SELECT count(*) FROM messages") == 2);
  events::Consumer dlq(events::ConsumerConfig{brokers, "dlq-reader", {"mucstream.events.dlq"}, kFastGroup});
  std::unique_ptr<RdKafka::Message> msg;
  wait_until([&] { return (msg = dlq.poll(200)) != nullptr; }, 60);
  REQUIRE(msg);
  events::Decoded d = events::decode(std::string_view(static_cast<const char*>(msg->payload()), msg->len()));
  REQUIRE(d);
  CHECK(*d.event == refused);
  const RdKafka::Headers::Header reason = msg->headers()->get_last("mucstream.reason");
  const std::string why(static_cast<const char*>(reason.value()), reason.value_size());
  CHECK(why.find("no_shouting") != std::string::npos);
}

TEST_CASE("sql: analyst views summarise rooms, sessions and events per day") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  World w;  // each command advances the clock by one second
  w.instant_room("owner@example.com/desk", "owner");
  REQUIRE(w.join("alice@example.com/a", "alice").ok());
  REQUIRE(w.say("alice@example.com/a", "one").ok());
  REQUIRE(w.say("alice@example.com/a", "two").ok());
  REQUIRE(w.join("alice@example.com/phone", "alice").ok());  // a second session, same user
  REQUIRE(w.leave("alice@example.com/a").ok());
  REQUIRE(w.leave("alice@example.com/phone").ok());
  REQUIRE(w.leave("owner@example.com/desk").ok());  // the temporary room ends
  sql::EventWriter writer(c);
  REQUIRE(writer.write(w.log).inserted == w.log.size());

  const std::string room_id = w.log.front().room_id;
  CHECK(db.count("SELECT sessions FROM room_summary WHERE room_id = '" + room_id + "'") == 3);
  CHECK(db.count("SELECT participants FROM room_summary WHERE room_id = '" + room_id + "'") == 2);
  CHECK(db.count("SELECT event_count FROM room_summary WHERE room_id = '" + room_id + "'") ==
        static_cast<std::int64_t>(w.log.size()));
  // Created by the first command (t=0 s), ended by the ninth (t=8 s).
  CHECK(db.count("SELECT duration_seconds::bigint FROM room_summary WHERE room_id = '" + room_id + "'") == 8);
  CHECK(db.count("SELECT count(*) FROM room_summary WHERE room_id = '" + room_id + "' AND ended IS NOT NULL") == 1);
  // alice's laptop: joined at t=2, left at t=6; her phone: joined at t=5, left at t=7.
  CHECK(db.count("SELECT max(duration_seconds)::bigint FROM session_summary WHERE userid = 'alice@example.com'") == 4);
  CHECK(db.count("SELECT min(duration_seconds)::bigint FROM session_summary WHERE userid = 'alice@example.com'") == 2);
  CHECK(db.count("SELECT duration_seconds::bigint FROM session_summary WHERE userid = 'owner@example.com'") == 8);
  CHECK(db.count("SELECT events FROM events_per_day WHERE type = 'message_sent'") == 2);
  CHECK(db.count("SELECT sum(events)::bigint FROM events_per_day") == static_cast<std::int64_t>(w.log.size()));
}
