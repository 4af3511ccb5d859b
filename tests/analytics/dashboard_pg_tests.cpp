// The dashboard's endpoints (GET /v1/analytics/overview, /histograms, /p2p-quality and
// /v1/rooms/{id}/occupancy) against a real PostgreSQL 15 migrated by `mucstreamd migrate`
// and seeded with fixtures/calls.sql, whose comments list the rooms, sessions and calls the
// figures here are worked out from. Run by with_postgres.sh (MUCSTREAM_TEST_PG).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <pqxx/pqxx>

#include <map>

#include "pg_support.hpp"

using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {
const std::string kCall = "00000000-0000-7000-8000-000000000010";
const std::string kEnded = "00000000-0000-7000-8000-000000000011";

double num(const Reply& r, const std::string& pointer) {
  const rapidjson::Value* v = rapidjson::Pointer(pointer.c_str()).Get(r.json);
  REQUIRE_MESSAGE((v != nullptr && v->IsNumber()), pointer << " is not a number in " << r.body);
  return v->GetDouble();
}
std::string at(const std::string& list, std::size_t i, const char* field) {
  return "/" + list + "/" + std::to_string(i) + "/" + field;
}
// The count a histogram gives a band ("rooms"), found by its label.
std::int64_t band(const Reply& r, const std::string& histogram, const std::string& label) {
  for (std::size_t i = 0; i < r.size(("/" + histogram).c_str()); ++i)
    if (r.text(at(histogram, i, "band").c_str()) == label) return static_cast<std::int64_t>(num(r, at(histogram, i, "rooms")));
  FAIL("no band " << label << " in " << histogram);
  return -1;
}
std::int64_t total(const Reply& r, const std::string& histogram) {
  std::int64_t n = 0;
  for (std::size_t i = 0; i < r.size(("/" + histogram).c_str()); ++i) n += static_cast<std::int64_t>(num(r, at(histogram, i, "rooms")));
  return n;
}
}  // namespace

TEST_CASE("dashboard endpoints: the overview counts rooms and sessions now, per day and week, and by client") {
  Api api;
  Reply r = api.get("/v1/analytics/overview?from=2026-11-20T00:00:00Z&to=2026-11-23T00:00:00Z&bucket=day");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  // "call" and alice in it are still live.
  CHECK(num(r, "/now/rooms") == 1);
  CHECK(num(r, "/now/sessions") == 1);
  REQUIRE(r.size("/periods") == 3);
  CHECK(r.text("/periods/0/start") == "2026-11-20T00:00:00.000Z");
  CHECK(num(r, "/periods/0/rooms") == 0);
  CHECK(num(r, "/periods/0/sessions") == 0);
  CHECK(num(r, "/periods/1/rooms") == 2);
  CHECK(num(r, "/periods/1/sessions") == 5);
  // The next day only what stayed open: "call" and alice.
  CHECK(num(r, "/periods/2/rooms") == 1);
  CHECK(num(r, "/periods/2/sessions") == 1);
  // Sessions created in the period by client.
  REQUIRE(r.size("/sessions_by/type") == 2);
  CHECK(r.text("/sessions_by/type/0/value") == "browser");
  CHECK(num(r, "/sessions_by/type/0/sessions") == 4);
  CHECK(r.text("/sessions_by/type/1/value") == "mobile");
  CHECK(num(r, "/sessions_by/type/1/sessions") == 1);
  CHECK(r.size("/sessions_by/os") == 4);
  CHECK(r.text("/sessions_by/os/0/value") == "Linux");
  CHECK(num(r, "/sessions_by/os/0/sessions") == 2);
  CHECK(r.size("/sessions_by/browser") == 4);
  CHECK(r.text("/sessions_by/browser/0/value") == "Chrome");
  CHECK(num(r, "/sessions_by/browser/0/sessions") == 2);

  // Weeks start on Monday: 2026-11-21 is a Saturday in the week of the 16th.
  r = api.get("/v1/analytics/overview?from=2026-11-16T00:00:00Z&to=2026-11-30T00:00:00Z&bucket=week");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  REQUIRE(r.size("/periods") == 2);
  CHECK(r.text("/periods/0/start") == "2026-11-16T00:00:00.000Z");
  CHECK(num(r, "/periods/0/rooms") == 2);
  CHECK(num(r, "/periods/0/sessions") == 5);
  CHECK(r.text("/periods/1/start") == "2026-11-23T00:00:00.000Z");
  CHECK(num(r, "/periods/1/rooms") == 1);
  CHECK(num(r, "/periods/1/sessions") == 1);

  r = api.get("/v1/analytics/overview?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&bucket=month");
  REQUIRE(r.size("/periods") == 1);
  CHECK(num(r, "/periods/0/rooms") == 2);
  CHECK(num(r, "/periods/0/sessions") == 5);
}

TEST_CASE("dashboard endpoints: the duration and peak histograms list every band and filter each other") {
  Api api;
  const std::string day = "from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z";
  Reply r = api.get("/v1/analytics/histograms?" + day);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  REQUIRE(r.size("/duration") == 15);
  REQUIRE(r.size("/peak") == 11);
  CHECK(r.text("/duration/0/band") == "<5s");
  CHECK(r.text("/duration/14/band") == ">1d");
  CHECK(r.text("/peak/10/band") == ">10");
  // "ended" lasted exactly an hour with two occupants at most; "call" is live (over a day
  // by now) and had three at once from 09:02.
  CHECK(band(r, "duration", "1h-2h") == 1);
  CHECK(band(r, "duration", ">1d") == 1);
  CHECK(total(r, "duration") == 2);
  CHECK(band(r, "peak", "2") == 1);
  CHECK(band(r, "peak", "3") == 1);
  CHECK(total(r, "peak") == 2);

  r = api.get("/v1/analytics/histograms?" + day + "&duration=1h-2h");
  REQUIRE(r.status == 200);
  CHECK(band(r, "peak", "2") == 1);
  CHECK(total(r, "peak") == 1);
  CHECK(total(r, "duration") == 2);  // the duration histogram is not filtered by itself
  r = api.get("/v1/analytics/histograms?" + day + "&peak=3");
  CHECK(band(r, "duration", ">1d") == 1);
  CHECK(total(r, "duration") == 1);
  r = api.get("/v1/analytics/histograms?" + day + "&peak=%3E10");
  CHECK(total(r, "duration") == 0);
  // Nothing was created the day before.
  r = api.get("/v1/analytics/histograms?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z");
  CHECK(total(r, "duration") == 0);
  CHECK(total(r, "peak") == 0);
}

TEST_CASE("dashboard endpoints: a room's occupancy has one point per join and leave instant") {
  Api api;
  Reply r = api.get("/v1/rooms/" + kCall + "/occupancy");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  const std::vector<std::pair<std::string, int>> call = {{"2026-11-21T09:00:00.000Z", 1},
                                                         {"2026-11-21T09:01:00.000Z", 2},
                                                         {"2026-11-21T09:02:00.000Z", 3},
                                                         {"2026-11-21T09:20:00.000Z", 2},
                                                         {"2026-11-21T09:30:00.000Z", 1}};
  REQUIRE(r.size("/points") == call.size());
  for (std::size_t i = 0; i < call.size(); ++i) {
    CAPTURE(i);
    CHECK(r.text(at("points", i, "time").c_str()) == call[i].first);
    CHECK(num(r, at("points", i, "occupants")) == call[i].second);
  }
  // Both leave when the room is destroyed: one point, empty.
  r = api.get("/v1/rooms/ended@rooms.localhost/occupancy");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  REQUIRE(r.size("/points") == 3);
  CHECK(r.text("/points/2/time") == "2026-11-21T13:00:00.000Z");
  CHECK(num(r, "/points/2/occupants") == 0);
  CHECK(api.get("/v1/rooms/00000000-0000-7000-8000-00000000ffff/occupancy").status == 404);
}

TEST_CASE("dashboard endpoints: P2P quality per hour and per day") {
  Api api;
  Reply r = api.get("/v1/analytics/p2p-quality?from=2026-11-21T09:00:00Z&to=2026-11-21T14:00:00Z&bucket=hour");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  REQUIRE(r.size("/periods") == 5);
  // 09:00: s1, s2, s3 started; six samples (rtt 40 200 60 100 50 80, loss 0 .1 .02 .3 .01
  // .05), two with a relay candidate; s2 (failed-transport), s1 (success) and s4 (decline)
  // ended, two of them failed.
  CHECK(r.text("/periods/0/start") == "2026-11-21T09:00:00.000Z");
  CHECK(num(r, "/periods/0/sessions") == 3);
  CHECK(num(r, "/periods/0/samples") == 6);
  CHECK(num(r, "/periods/0/avg_rtt_ms") == doctest::Approx(530.0 / 6));
  CHECK(num(r, "/periods/0/avg_packet_loss") == doctest::Approx(0.08));
  CHECK(num(r, "/periods/0/relayed_samples") == 2);
  CHECK(num(r, "/periods/0/ended") == 3);
  CHECK(num(r, "/periods/0/failed") == 2);
  // 10:00 and 11:00: nothing, no averages.
  CHECK(num(r, "/periods/1/sessions") == 0);
  CHECK(r.text("/periods/1/avg_rtt_ms") == "null");
  // 12:00: s5 started, one sample, ended on a connectivity error (interrupted, not failed).
  CHECK(num(r, "/periods/3/sessions") == 1);
  CHECK(num(r, "/periods/3/avg_rtt_ms") == 30);
  CHECK(num(r, "/periods/3/ended") == 1);
  CHECK(num(r, "/periods/3/failed") == 0);

  r = api.get("/v1/analytics/p2p-quality?from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z");
  REQUIRE(r.size("/periods") == 1);
  CHECK(r.text("/bucket") == "day");
  CHECK(num(r, "/periods/0/sessions") == 4);
  CHECK(num(r, "/periods/0/samples") == 7);
  CHECK(num(r, "/periods/0/avg_rtt_ms") == doctest::Approx(80));
  CHECK(num(r, "/periods/0/ended") == 4);
  CHECK(num(r, "/periods/0/failed") == 2);
}

TEST_CASE("dashboard endpoints: bad periods, buckets and bands are 400 naming the parameter") {
  Api api;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"/v1/analytics/overview?bucket=year", "bucket"},
      {"/v1/analytics/overview?from=2026-11-22T00:00:00Z&to=2026-11-21T00:00:00Z", "to"},
      {"/v1/analytics/overview?from=yesterday", "from"},
      {"/v1/analytics/overview?from=2025-01-01T00:00:00Z&to=2026-11-21T00:00:00Z", "to"},
      {"/v1/analytics/histograms?duration=2m", "duration"},
      {"/v1/analytics/histograms?peak=0", "peak"},
      {"/v1/analytics/p2p-quality?bucket=week", "bucket"},
      {"/v1/analytics/p2p-quality?bucket=hour&from=2026-01-01T00:00:00Z&to=2026-11-21T00:00:00Z", "bucket"},
      {"/v1/rooms/" + kEnded + "/occupancy?since=2026-11-21T00:00:00Z", "since"}};
  for (const auto& [path, param] : bad) {
    CAPTURE(path);
    const Reply r = api.get(path);
    CHECK(r.status == 400);
    CHECK(r.text("/error/code") == "invalid_parameter");
    CHECK(r.text("/error/parameter") == param);
  }
}

TEST_CASE("dashboard endpoints: periods cut inside an hour or a day count exactly what the events table holds") {
  // events-per-day and the overview read whole hours and days from the rollups and the
  // partial ones at each end from the base tables: compare with plain SQL over the base
  // tables for periods that start and end mid-hour, inside one hour, and on boundaries.
  Api api;
  pqxx::connection c(conninfo());
  pqxx::nontransaction tx(c);
  const std::vector<std::pair<std::string, std::string>> periods = {
      {"2026-11-21T09:04:30Z", "2026-11-21T12:35:00Z"}, {"2026-11-21T09:05:00Z", "2026-11-21T09:15:00Z"},
      {"2026-11-21T09:00:00Z", "2026-11-21T13:00:00Z"}, {"2026-11-20T23:59:59Z", "2026-11-21T09:01:00.001Z"},
      {"2026-11-21T12:00:00Z", "2026-11-22T00:00:00Z"}};
  for (const auto& [since, until] : periods) {
    CAPTURE(since);
    CAPTURE(until);
    Reply r = api.get("/v1/analytics/events-per-day?since=" + since + "&until=" + until);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    std::map<std::string, std::int64_t> got;
    for (std::size_t i = 0; i < r.size("/items"); ++i)
      got[r.text(at("items", i, "day").c_str()) + " " + r.text(at("items", i, "type").c_str())] =
          static_cast<std::int64_t>(num(r, at("items", i, "count")));
    std::map<std::string, std::int64_t> want;
    for (const auto& row : tx.exec_params(
             "SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ' ' || type, count(*) FROM events "
             "WHERE time >= $1::timestamptz AND time < $2::timestamptz GROUP BY 1",
             since, until))
      want[row[0].as<std::string>()] = row[1].as<std::int64_t>();
    CHECK(got == want);
    CHECK(!want.empty());

    r = api.get("/v1/analytics/overview?from=" + since + "&to=" + until);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    std::map<std::string, std::int64_t> by_browser, want_browser;
    for (std::size_t i = 0; i < r.size("/sessions_by/browser"); ++i)
      by_browser[r.text(at("sessions_by/browser", i, "value").c_str())] =
          static_cast<std::int64_t>(num(r, at("sessions_by/browser", i, "sessions")));
    for (const auto& row : tx.exec_params(
             "SELECT coalesce(browser, 'unknown'), count(*) FROM users "
             "WHERE created >= $1::timestamptz AND created < $2::timestamptz GROUP BY 1",
             since, until))
      want_browser[row[0].as<std::string>()] = row[1].as<std::int64_t>();
    CHECK(by_browser == want_browser);
  }
}
