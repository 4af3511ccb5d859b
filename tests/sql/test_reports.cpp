// Room reports kept by the materialiser (sql/reports.hpp) against real PostgreSQL and the
// mock Kafka cluster: folded batch by batch, through redeliveries and a restart, they equal
// one fold of each room's whole log and a recompute from the stored events.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <set>

#include "core/room_report.hpp"
#include "events/envelope.hpp"
#include "sql/migrate.hpp"
#include "sql/reports.hpp"
#include "sql/writer.hpp"
#include "tests/events/scenario.hpp"
#include "tests/sql/run_mucstreamd.hpp"
#include "tests/sql/support.hpp"

using namespace mucstream;
using namespace mucstream::testing;

namespace {

void produce_all(const std::string& brokers, const std::vector<core::Event>& log) {
  events::Producer p(events::ProducerConfig{brokers, "mucstream.events", {}, events::ProducerConfig::QueueFull::wait,
                                            1000, ""});
  for (const auto& e : log) p.publish(e);
  REQUIRE(p.flush(30000));
}

// The core's scenario with calls added the way clients and the calls code report them: a
// P2P session from each newcomer to someone present, speaking toggled by each message,
// sessions ended with a success or a failure every few messages, and the calls code's own
// "left" end after a party leaves. Every other call is one only the clients reported over
// HTTP telemetry (peer_session_added, a stream, a failed connection state before a failing
// end, peer_session_removed). seq is renumbered per room.
std::vector<core::Event> with_calls(World& w, const std::vector<core::Event>& log) {
  std::vector<core::Event> out;
  std::map<std::string, std::vector<std::string>> present;  // room_id -> sessions
  std::map<std::string, std::map<std::string, std::pair<std::string, std::string>>> open;  // room_id -> sid -> parties
  std::set<std::string> reported;  // sids of the calls only telemetry reported
  std::map<std::string, bool> speaking;
  std::map<std::string, int> messages;
  std::map<std::string, std::uint64_t> seq;
  int sids = 0;
  const char* reasons[] = {"success", "failed-transport", "timeout", "decline"};
  auto emit = [&](const core::Event& like, core::EventType type, const std::string& actor,
                  std::optional<std::string> peer, core::Value data) {
    core::Event e;
    e.id = w.ids.next_id(like.time_ms);
    e.room = like.room;
    e.room_id = like.room_id;
    e.actor = actor;
    e.peer = std::move(peer);
    e.time_ms = like.time_ms;
    e.set_data(events::read_data(type, std::move(data)));  // the keys as that type reads them
    out.push_back(std::move(e));
  };
  auto end_call = [&](const core::Event& like, const std::string& sid, const std::string& reason) {
    const auto [a, b] = open[like.room_id][sid];
    core::Value d = core::Value::object();
    d.set("sid", sid);
    if (reported.count(sid)) {
      if (reason != "success" && reason != "decline" && reason != "left") {
        core::Value state = d;
        state.set("connectionState", "failed");
        emit(like, core::EventType::peer_session_connection_state, a, b, std::move(state));
      }
      emit(like, core::EventType::peer_session_removed, a, b, std::move(d));
    } else {
      d.set("reason", reason);
      emit(like, core::EventType::p2p_session_ended, a, b, std::move(d));
    }
    open[like.room_id].erase(sid);
  };
  for (const core::Event& e : log) {
    out.push_back(e);
    auto& here = present[e.room_id];
    if (e.type == core::EventType::occupant_joined) {
      if (!here.empty()) {
        const std::string sid = "sid-" + std::to_string(++sids);
        core::Value d = core::Value::object();
        d.set("sid", sid);
        if (sids % 2 == 0) {
          reported.insert(sid);
          core::Value stream = d;
          stream.set("audio", true);
          d.set("isInitiator", true);
          emit(e, core::EventType::peer_session_added, e.actor, here.front(), std::move(d));
          emit(e, core::EventType::peer_stream_added, here.front(), e.actor, std::move(stream));
        } else {
          d.set("media", core::Value::Array{core::Value("audio"), core::Value("video")});
          emit(e, core::EventType::p2p_session_started, e.actor, here.front(), std::move(d));
        }
        open[e.room_id][sid] = {e.actor, here.front()};
      }
      here.push_back(e.actor);
    } else if (e.type == core::EventType::occupant_left) {
      here.erase(std::remove(here.begin(), here.end(), e.actor), here.end());
      std::vector<std::string> gone;
      for (const auto& [sid, parties] : open[e.room_id])
        if (parties.first == e.actor || parties.second == e.actor) gone.push_back(sid);
      for (const std::string& sid : gone) end_call(e, sid, "left");
    } else if (e.type == core::EventType::message_sent) {
      bool& on = speaking[e.actor];
      on = !on;
      emit(e, on ? core::EventType::started_speaking : core::EventType::stopped_speaking, e.actor, std::nullopt,
           core::Value::object());
      if (++messages[e.room_id] % 3 == 0 && !open[e.room_id].empty())
        end_call(e, open[e.room_id].begin()->first, reasons[messages[e.room_id] % 4]);
    }
  }
  for (core::Event& e : out) e.seq = ++seq[e.room_id];
  return out;
}

// Each room's report from one fold over its whole log, in memory.
std::map<std::string, core::RoomReport> fold_in_memory(const std::vector<core::Event>& log) {
  std::map<std::string, core::RoomReport> out;
  for (const core::Event& e : log) out[e.room_id] = core::fold(std::move(out[e.room_id]), e);
  return out;
}

struct Stored {
  core::Value reports, state;
};

std::map<std::string, Stored> stored_reports(const TestDb& db) {
  pqxx::connection c(db.conn_string());
  pqxx::nontransaction tx(c);
  std::map<std::string, Stored> out;
  for (const auto& row : tx.exec("SELECT id::text, reports::text, report_state::text FROM rooms")) {
    Stored s;
    if (!row[1].is_null()) s.reports = *events::decode_value(row[1].c_str());
    if (!row[2].is_null()) s.state = *events::decode_value(row[2].c_str());
    out[row[0].as<std::string>()] = std::move(s);
  }
  return out;
}

// Every room's stored report and state equal the in-memory fold of its whole log.
void check_reports(const TestDb& db, const std::vector<core::Event>& log) {
  const auto expected = fold_in_memory(log);
  const auto stored = stored_reports(db);
  REQUIRE(stored.size() == expected.size());
  for (const auto& [room_id, r] : expected) {
    CAPTURE(room_id);
    REQUIRE(stored.count(room_id));
    CHECK(same_json(stored.at(room_id).reports, core::to_value(r)));
    CHECK(core::state_from_value(stored.at(room_id).state) == r);
  }
}

// The figures the log must exercise for the comparison to mean something.
void check_log_exercises_reports(const std::vector<core::Event>& log) {
  std::int64_t failed = 0, interrupted = 0, completed = 0, speaking = 0, ended = 0;
  std::map<std::string, std::int64_t> telemetry_outcomes;
  for (const auto& [id, r] : fold_in_memory(log)) {
    for (const core::ReportP2P& c : r.p2p)
      if (c.source == "telemetry") ++telemetry_outcomes[c.outcome];
    const core::Value v = core::to_value(r);
    failed += v.find("p2p")->get_int("failed");
    interrupted += v.find("p2p")->get_int("interrupted");
    completed += v.find("p2p")->get_int("completed");
    for (const auto& p : v.find("participant_times")->as_array()) speaking += p.get_int("speaking_ms");
    ended += v.get_bool("ended");
  }
  CHECK(failed > 0);
  CHECK(interrupted > 0);
  CHECK(completed > 0);
  CHECK(speaking > 0);
  CHECK(ended > 0);
  // Calls only the clients reported, ended each way.
  CHECK(telemetry_outcomes["completed"] > 0);
  CHECK(telemetry_outcomes["failed"] > 0);
  CHECK(telemetry_outcomes["interrupted"] > 0);
}

// Every room's calls as the call views give them (p2p_session_outcomes, which /v1/analytics/p2p
// and /v1/analytics/rooms read; p2p_sessions, which the timeline reads) and as its stored
// report gives them: every session counts in both, and a call only the clients' telemetry
// reported has the report's start, end, parties, outcome and duration in both views.
// Returns how many telemetry calls were compared.
std::size_t check_calls_in_views(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  std::size_t telemetry = 0;
  for (const auto& room : tx.exec("SELECT id::text, reports::text FROM rooms WHERE reports IS NOT NULL ORDER BY id")) {
    const std::string room_id = room[0].as<std::string>();
    CAPTURE(room_id);
    const core::Value report = *events::decode_value(room[1].c_str());
    const auto& sessions = report.find("p2p")->find("sessions")->as_array();
    std::set<std::string> jingle;  // sids the room saw in Jingle: the Jingle record's in the views
    for (const auto& r : tx.exec_params("SELECT DISTINCT data->>'sid' FROM events WHERE room_id = $1::uuid"
                                        " AND type IN ('p2p_session_started', 'p2p_session_ended')",
                                        room_id))
      jingle.insert(r[0].c_str());
    for (const std::string view : {"p2p_session_outcomes", "p2p_sessions"}) {
      CAPTURE(view);
      std::map<std::string, std::vector<std::string>> rows;  // sid -> the call as text
      for (const auto& r : tx.exec_params(
               "SELECT sid, (extract(epoch FROM started) * 1000)::bigint,"
               " CASE WHEN outcome <> 'ongoing' THEN (extract(epoch FROM ended) * 1000)::bigint END,"
               " coalesce(initiator::text, ''), coalesce(responder::text, ''), outcome,"
               " CASE WHEN outcome <> 'ongoing' THEN round(duration_seconds * 1000)::bigint END FROM " +
                   view + " WHERE room_id = $1::uuid",
               room_id))
        rows[r[0].as<std::string>()].push_back(r[1].as<std::string>() + " " + r[2].c_str() + " " + r[3].c_str() + " " +
                                               r[4].c_str() + " " + r[5].c_str() + " " + r[6].c_str());
      std::size_t n = 0;
      for (const auto& [sid, calls] : rows) n += calls.size();
      CHECK(n == sessions.size());
      for (const core::Value& s : sessions) {
        if (s.get_string("source") != "telemetry" || jingle.count(s.get_string("sid"))) continue;
        const std::string sid = s.get_string("sid");
        CAPTURE(sid);
        const bool open = s.get_string("outcome") == "open";
        const std::string expected =
            std::to_string(s.get_int("started_ms")) + " " + (open ? "" : std::to_string(s.get_int("ended_ms"))) + " " +
            s.get_string("initiator") + " " + s.get_string("responder") + " " +
            (open ? "ongoing" : s.get_string("outcome")) + " " + (open ? "" : std::to_string(s.get_int("duration_ms")));
        REQUIRE(rows.count(sid));
        CHECK(rows.at(sid).size() == 1);
        CHECK(rows.at(sid).front() == expected);
        ++telemetry;
      }
    }
  }
  return telemetry;
}

// The call rollups (rows and figures) equal what mucstream_recompute_rollups makes from the
// events and the stored report states, in a transaction rolled back afterwards.
void check_call_rollups_recompute(pqxx::connection& c) {
  pqxx::work tx(c);
  auto rows = [&] {
    std::string out;
    for (const char* sql : {"SELECT * FROM rollup_p2p_sessions ORDER BY domain, room_id, event_id",
                            "SELECT * FROM rollup_p2p_figures_daily ORDER BY 1, 2, 3",
                            "SELECT * FROM rollup_p2p_figures_hourly ORDER BY 1, 2, 3",
                            "SELECT * FROM rollup_p2p_figures_slots ORDER BY 1, 2, 3"})
      out += tx.exec1(std::string("SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM (") + sql + ") t")[0]
                 .as<std::string>() + "\n--\n";
    return out;
  };
  const std::string kept = rows();
  tx.exec("SELECT mucstream_recompute_rollups()");
  CHECK(kept == rows());
  tx.abort();
}

// One room, in 2030 (apart from the scenario's times): ann calls bob. The first call
// only their clients report (a stream, ICE failed, bob's client removes it); the second the
// room sees in Jingle and bob's client reports too (Jingle's start and end decide). carol,
// gone, reports a call: that starts nothing.
constexpr std::int64_t kCallsT0 = 1893492000000;  // 2030-01-01T10:00:00Z, a whole hour
const std::string kCallsRoom = "0190f3c2-8a40-7000-8000-00000000ca11";
const std::string kAnn = "0190f3c2-8a40-7000-8000-00000000a001", kBob = "0190f3c2-8a40-7000-8000-00000000b001",
                  kCarol = "0190f3c2-8a40-7000-8000-00000000c001";

std::vector<core::Event> two_calls() {
  std::vector<core::Event> out;
  auto add = [&](int second, core::EventType type, const std::string& actor, std::optional<std::string> peer,
                 core::Value data) {
    core::Event e;
    e.seq = out.size() + 1;
    char id[40];
    std::snprintf(id, sizeof id, "0190f3c2-8a40-7000-9000-%012llu", static_cast<unsigned long long>(e.seq));
    e.id = id;
    e.room = "standup@rooms.example.org";
    e.room_id = kCallsRoom;
    e.actor = actor;
    e.peer = std::move(peer);
    e.time_ms = kCallsT0 + second * 1000LL;
    e.set_data(events::read_data(type, std::move(data)));
    out.push_back(std::move(e));
  };
  auto obj = [](std::initializer_list<std::pair<const char*, core::Value>> kv) {
    core::Value v = core::Value::object();
    for (const auto& [k, x] : kv) v.set(k, x);
    return v;
  };
  using T = core::EventType;
  add(0, T::room_created, "", std::nullopt, obj({{"creator", "ann@example.org"}}));
  for (const auto& [who, nick] : {std::pair{kAnn, "ann"}, {kBob, "bob"}, {kCarol, "carol"}})
    add(1, T::occupant_joined, who, std::nullopt,
        obj({{"nick", nick}, {"bare_jid", std::string(nick) + "@example.org"}, {"occupant_id", std::string("o-") + nick}}));
  add(3, T::occupant_left, kCarol, std::nullopt, obj({{"reason", "left"}}));
  add(10, T::peer_session_added, kAnn, kBob, obj({{"sid", "tele-1"}, {"isInitiator", true}}));
  add(11, T::peer_stream_added, kAnn, kBob, obj({{"sid", "tele-1"}, {"audio", true}, {"video", true}}));
  add(12, T::peer_session_added, kCarol, kAnn, obj({{"sid", "ghost-1"}}));
  add(20, T::peer_session_connection_state, kBob, kAnn, obj({{"sid", "tele-1"}, {"connectionState", "failed"}}));
  add(40, T::peer_session_removed, kBob, kAnn, obj({{"sid", "tele-1"}}));
  add(60, T::p2p_session_started, kAnn, kBob, obj({{"sid", "jin-1"}, {"media", core::Value::Array{core::Value("audio")}}}));
  add(61, T::peer_session_added, kBob, kAnn, obj({{"sid", "jin-1"}, {"isInitiator", false}}));
  add(62, T::peer_stream_added, kBob, kAnn, obj({{"sid", "jin-1"}, {"audio", true}}));
  add(70, T::peer_session_removed, kBob, kAnn, obj({{"sid", "jin-1"}}));
  add(150, T::p2p_session_ended, kAnn, kBob, obj({{"sid", "jin-1"}, {"reason", "success"}, {"duration_ms", 90000}}));
  // Then (events 16-19) a call ann's client reports before the room sees its Jingle start:
  // the Jingle record wins in the views (the report starts it at the client's report).
  add(160, T::peer_session_added, kAnn, kBob, obj({{"sid", "jin-2"}}));
  add(165, T::p2p_session_started, kAnn, kBob,
      obj({{"sid", "jin-2"}, {"media", core::Value::Array{core::Value("audio"), core::Value("video")}}}));
  add(185, T::p2p_session_ended, kBob, kAnn, obj({{"sid", "jin-2"}, {"reason", "success"}, {"duration_ms", 20000}}));
  add(200, T::occupant_left, kBob, std::nullopt, obj({{"reason", "left"}}));
  return out;
}

// What /v1/analytics/p2p (p2p_quality_of_room, p2p_quality_of_all), /v1/analytics/rooms
// (room_calls) and /v1/rooms/{id}/timeline (room_timeline) read about that room.
std::string calls_seen(pqxx::connection& c, const std::string& since) {
  pqxx::nontransaction tx(c);
  std::string out;
  const std::string until = "timestamptz '2030-01-01T11:00:00Z'";
  for (const std::string& q :
       {"SELECT sessions, completed, failed, interrupted, ongoing, duration_total_seconds FROM p2p_quality_of_room(" +
            since + ", " + until + ", '" + kCallsRoom + "')",
        "SELECT sessions, completed, failed, interrupted, ongoing, duration_total_seconds FROM p2p_quality_of_all(" +
            since + ", " + until + ")",
        "SELECT p2p_sessions, p2p_failed, p2p_interrupted, call_seconds FROM room_calls WHERE room_id = '" + kCallsRoom + "'",
        "SELECT string_agg(concat_ws(' ', nick, peer_nick, extract(epoch FROM started - timestamptz '2030-01-01T10:00:00Z'),"
        " extract(epoch FROM ended - timestamptz '2030-01-01T10:00:00Z'), end_source, detail->>'sid', detail->>'outcome',"
        " detail->'media'), '; ' ORDER BY started) FROM room_timeline WHERE room_id = '" + kCallsRoom + "' AND kind = 'p2p'"})
    out += tx.exec1("SELECT t::text FROM (" + q + ") t")[0].c_str() + std::string("\n");
  return out;
}

std::pair<int, std::string> mucstreamd(std::vector<std::string> args) { return testing::run_mucstreamd(std::move(args)); }

}  // namespace

TEST_CASE("sql: room reports written batch by batch and twice equal one fold and a recompute") {
  TestDb db;
  World w;
  run_scenario(w, 4, 800, 11);
  const std::vector<core::Event> log = with_calls(w, w.log);
  check_log_exercises_reports(log);
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  sql::EventWriter writer(c);
  // Small overlapping batches, as a consumer restarting mid-way delivers them: each batch
  // repeats the last 18 events of the one before (the deduplicating path with new rows), and
  // is then delivered once more (nothing new at all).
  std::size_t inserted = 0, duplicates = 0;
  for (std::size_t from = 0; from < log.size(); from += 37) {
    const std::size_t begin = from < 18 ? 0 : from - 18;
    const std::vector<core::Event> batch(log.begin() + static_cast<std::ptrdiff_t>(begin),
                                         log.begin() + static_cast<std::ptrdiff_t>(std::min(log.size(), from + 37)));
    const sql::WriteResult first = writer.write(batch);
    inserted += first.inserted;
    duplicates += first.duplicates;
    CHECK(writer.write(batch).inserted == 0);
  }
  CHECK(inserted == log.size());
  CHECK(duplicates > 0);
  CHECK(writer.write(std::vector<core::Event>(log.begin() + 100, log.begin() + 400)).inserted == 0);
  check_reports(db, log);
  // The calls only telemetry reported are in the call views as in the reports, and their
  // rows, kept batch by batch through redeliveries, equal a recomputation.
  CHECK(check_calls_in_views(c) > 20);
  check_call_rollups_recompute(c);

  // A recompute gives the same reports, and running it again changes nothing.
  const auto incremental = stored_reports(db);
  const sql::RecomputeResult all = sql::recompute_reports(c, std::nullopt);
  CHECK(all.rooms == incremental.size());
  check_reports(db, log);
  const auto recomputed = stored_reports(db);
  for (const auto& [id, s] : incremental) {
    CAPTURE(id);
    CHECK(same_json(recomputed.at(id).reports, s.reports));
    CHECK(same_json(recomputed.at(id).state, s.state));
  }
  // One room on its own; an unknown room is reported as not found.
  CHECK(sql::recompute_reports(c, log.front().room_id).rooms == 1);
  CHECK(sql::recompute_reports(c, std::string("0190f3c2-8a40-7000-8000-0000000000ff")).rooms == 0);
  check_reports(db, log);

  // The command: reports wiped, then rebuilt by `mucstreamd reports --recompute`.
  {
    pqxx::nontransaction tx(c);
    tx.exec0("UPDATE rooms SET reports = NULL, report_state = NULL");
  }
  const auto [one, one_out] = mucstreamd({"reports", "--recompute", "--room-id", log.front().room_id, "--pg", db.conn_string()});
  CHECK(one == 0);
  CHECK(one_out == "recomputed 1 room report(s) from " +
                       std::to_string(std::count_if(log.begin(), log.end(), [&](const core::Event& e) {
                         return e.room_id == log.front().room_id && core::report_relevant(e.type);
                       })) + " event(s)\n");
  CHECK(db.count("SELECT count(*) FROM rooms WHERE reports IS NOT NULL") == 1);
  CHECK(mucstreamd({"reports", "--recompute", "--all", "--pg", db.conn_string()}).first == 0);
  check_reports(db, log);
  CHECK(mucstreamd({"reports", "--recompute", "--room-id", "0190f3c2-8a40-7000-8000-0000000000ff", "--pg",
                    db.conn_string()}).first == 1);  // no such room
  CHECK(mucstreamd({"reports", "--recompute", "--room-id", "1; DROP TABLE rooms", "--pg", db.conn_string()}).first == 2);
  CHECK(mucstreamd({"reports", "--recompute", "--pg", db.conn_string()}).first == 2);  // neither --room-id nor --all
  CHECK(mucstreamd({"reports", "--pg", db.conn_string()}).first == 2);                  // no --recompute
  check_reports(db, log);
  CHECK(check_calls_in_views(c) > 20);
  check_call_rollups_recompute(c);


  // Analysts read the reports.
  {
    pqxx::nontransaction tx(c);
    tx.exec0("CREATE ROLE ana_reports LOGIN IN ROLE analyst");
  }
  {
    pqxx::connection ana(db.conn_string() + " user=ana_reports");
    pqxx::work tx(ana);
    // Through room_reports (0013): the reports without the participants' bare JIDs.
    CHECK(tx.exec1("SELECT count(*) FROM room_reports WHERE reports IS NOT NULL")[0].as<std::size_t>() ==
          incremental.size());
    CHECK(tx.exec1("SELECT sum((reports->'p2p'->>'count')::int) FROM room_reports")[0].as<long>() > 0);
  }
  {
    pqxx::nontransaction tx(c);
    tx.exec0("DROP OWNED BY ana_reports; DROP ROLE ana_reports");
  }

  {
    // The views of one room with a call only the clients reported and a Jingle call they also
    // reported: two sessions, with the report's figures. Written in an overlapping batch
    // (the deduplicating path) and delivered twice.
    const std::vector<core::Event> calls = two_calls();
    const std::string whole_hour = "timestamptz '2030-01-01T10:00:00Z'", mid_hour = "timestamptz '2030-01-01T10:00:05Z'";
    CHECK(writer.write(std::vector<core::Event>(calls.begin(), calls.begin() + 8)).inserted == 8);
    // ann's call is open: one session, ongoing (its duration runs to now, before 2030)
    CHECK(calls_seen(c, whole_hour).substr(0, 11) == "(1,0,0,0,1,");
    const std::vector<core::Event> rest(calls.begin() + 5, calls.begin() + 15);
    CHECK(writer.write(rest).inserted == 7);
    CHECK(writer.write(rest).inserted == 0);
    const std::string expected =
        "(2,1,1,0,0,120)\n"
        "(2,1,1,0,0,120)\n"
        "(2,1,0,120)\n"
        "(\"ann bob 10.000000 40.000000 event tele-1 failed [\"\"audio\"\", \"\"video\"\"]; "
        "ann bob 60.000000 150.000000 event jin-1 completed [\"\"audio\"\"]\")\n";
    CHECK(calls_seen(c, whole_hour) == expected);
    CHECK(calls_seen(c, mid_hour) == expected);  // the partial first hour from the session rows
    // The report says the same.
    const core::Value report = *events::decode_value(
        pqxx::nontransaction(c).exec1("SELECT reports::text FROM rooms WHERE id = '" + kCallsRoom + "'")[0].c_str());
    const core::Value& p2p = *report.find("p2p");
    CHECK(p2p.get_int("count") == 2);
    CHECK(p2p.get_int("failed") == 1);
    CHECK(p2p.get_int("completed") == 1);
    CHECK(p2p.get_int("total_ms") == 120000);
    check_call_rollups_recompute(c);

    // The third call: one session, Jingle's start, end and media.
    CHECK(writer.write(std::vector<core::Event>(calls.begin() + 15, calls.end())).inserted == calls.size() - 15);
    CHECK(calls_seen(c, whole_hour) ==
          "(3,2,1,0,0,140)\n"
          "(3,2,1,0,0,140)\n"
          "(3,1,0,140)\n"
          "(\"ann bob 10.000000 40.000000 event tele-1 failed [\"\"audio\"\", \"\"video\"\"]; "
          "ann bob 60.000000 150.000000 event jin-1 completed [\"\"audio\"\"]; "
          "ann bob 165.000000 185.000000 event jin-2 completed [\"\"audio\"\", \"\"video\"\"]\")\n");
    check_call_rollups_recompute(c);
    CHECK(check_calls_in_views(c) > 20);
  }
}

TEST_CASE("sql: room reports through Kafka survive a materialiser crash and restart mid-room") {
  TestDb db;
  std::unique_ptr<events::MockCluster> mock;
  const std::string brokers = fresh_mock(mock).bootstraps();
  World w;
  run_scenario(w, 6, 1500, 12);
  const std::vector<core::Event> log = with_calls(w, w.log);
  check_log_exercises_reports(log);
  const auto n = static_cast<std::int64_t>(log.size());
  produce_all(brokers, log);
  {
    // Crashes after PostgreSQL committed its fifth batch, before Kafka did: that batch comes
    // again and must not count twice.
    auto cfg = materializer_config(brokers, db);
    cfg.batch_max = 60;
    cfg.after_pg_commit = [](std::uint64_t batch, const std::vector<core::Event>&) {
      if (batch == 5) throw std::runtime_error("simulated crash after the PostgreSQL commit");
    };
    Running crashing(cfg);
    REQUIRE(wait_until([&] { return crashing.done(); }));
    CHECK(crashing.error() == "simulated crash after the PostgreSQL commit");
  }
  CHECK(stored_events(db) < n);  // stopped mid-stream, rooms half folded
  auto cfg = materializer_config(brokers, db);
  cfg.batch_max = 60;
  Running m(cfg);
  REQUIRE(wait_until([&] { return stored_events(db) == n && m.stats().duplicates > 0; }));
  CHECK(m.stats().duplicates > 0);
  check_reports(db, log);

  pqxx::connection c(db.conn_string());
  const auto incremental = stored_reports(db);
  sql::recompute_reports(c, std::nullopt);
  const auto recomputed = stored_reports(db);
  for (const auto& [id, s] : incremental) {
    CAPTURE(id);
    CHECK(same_json(recomputed.at(id).reports, s.reports));
  }
  // The telemetry calls' rows the crashed and the restarted materialiser kept.
  CHECK(check_calls_in_views(c) > 20);
  check_call_rollups_recompute(c);
}
