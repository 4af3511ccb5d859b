// Tenants on a real PostgreSQL 15: two MUC domains' rooms, sessions and messages decided by
// a real core room loop and stored by the materialiser's own writer, then read through the
// whole API of `mucstreamd all` (read, analytics, dashboard, messages, live administration,
// telemetry, privacy, metrics). The route table is walked as test_error_shape walks it, so a
// route added later is walked too: with a token for tenant A, every identifier of tenant B
// answers exactly as an identifier that names nothing, no answer carries B's rows, and
// analytics add up A's rows only; a token without a tenant sees both. Then the database
// itself: the scoped transaction the API runs (as the same PostgreSQL user) sees A's rows
// only in every table and every view, and so does a service role that owns the tables and is
// no superuser (the deployment's case). Run by with_postgres.sh (MUCSTREAM_TEST_PG).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <map>
#include <regex>
#include <set>

#include "analytics/admin.hpp"
#include "analytics/routes_privacy.hpp"
#include "analytics/telemetry.hpp"
#include "core_loop.hpp"
#include "pg_support.hpp"
#include "sql/forget.hpp"
#include "sql/migrate.hpp"
#include "sql/tenant_scope.hpp"
#include "sql/writer.hpp"

using namespace mucstream;
using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {

const std::string kA = "rooms.acme.example";
const std::string kB = "rooms.globex.example";
const std::string kUnknownId = "0190f3c2-8a4b-7000-8000-0000000000ff";

struct Tenant {
  std::vector<std::string> room_ids, room_jids, sessions, users;
  std::string empty_room_id;  // a live room nobody is in (a sweep's target)
  std::int64_t messages = 0;
};

// Everything `mucstreamd all` serves, over the real store and a real core loop, with both
// tenants' data written by the materialiser's writer.
struct World {
  Loop loop;
  sql::PgReadStore store{conninfo(), 4};
  Running srv{&store};
  Tenant a, b;

  World() {
    AdminOptions o;
    o.domain = kA;
    o.more_domains = {kB};
    // One loop holds both domains' rooms here; mucstreamd runs one per domain.
    o.inspect_in = [this](const std::string&, std::function<void(const core::Service&)> read) {
      loop.inspect(std::move(read));
    };
    SubmitFn submit = [this](core::Command c, std::function<void(const core::Decision&)> d) {
      loop.submit(std::move(c), std::move(d));
    };
    add_admin_routes(*srv.server, submit, o);
    TelemetryOptions t;
    t.inspect = o.inspect_in;
    add_telemetry_routes(*srv.server, submit, t);
    add_privacy_routes(*srv.server, {.forget = [](const std::string& jid) {
                                       pqxx::connection c(conninfo());
                                       return sql::forget_user(c, jid);
                                     }});
    srv.start();
    seed(a, kA, {"alice", "bob", "carol"}, 2);
    seed(b, kB, {"dave", "erin", "frank"}, 3);
    std::vector<core::Event> log;
    for (const auto& d : loop.decisions()) log.insert(log.end(), d.events.begin(), d.events.end());
    pqxx::connection c(conninfo());
    sql::EventWriter writer(c);
    REQUIRE(writer.write(log).inserted == log.size());
  }

  // Two rooms of `domain` (standup: the first two people; retro: the third), the same local
  // names in both tenants, `messages` messages in standup, and one empty persistent room.
  void seed(Tenant& t, const std::string& domain, const std::vector<std::string>& people, int messages) {
    for (std::size_t i = 0; i < people.size(); ++i) {
      core::Join j;
      j.user = std::get<core::Jid>(core::Jid::parse(people[i] + "@localhost/web"));
      j.room = (i < 2 ? "standup@" : "retro@") + domain;
      j.nick = people[i];
      const core::Decision d = loop.run(j);
      REQUIRE(d.ok());
      if (d.events.front().type == core::EventType::room_created) {
        REQUIRE(loop.run(core::Configure{core::Requester::user(j.user), j.room, {}}).ok());
        t.room_ids.push_back(d.events.front().room_id);
        t.room_jids.push_back(j.room);
      }
      t.sessions.push_back(d.events.back().actor);
      t.users.push_back(people[i] + "@localhost");
    }
    for (int i = 0; i < messages; ++i) {
      core::SendGroupchat m;
      m.user = std::get<core::Jid>(core::Jid::parse(people[0] + "@localhost/web"));
      m.room = "standup@" + domain;
      m.payload = "<body>" + domain + " secret " + std::to_string(i) + "</body>";
      REQUIRE(loop.run(m).ok());
    }
    t.messages = messages;
    core::CreateRoom c{core::Requester::admin("ops"), "lobby@" + domain,
                       std::get<core::Jid>(core::Jid::parse("ops@localhost")), {}};
    c.change.persistent = true;
    const core::Decision d = loop.run(c);
    REQUIRE(d.ok());
    t.empty_room_id = d.events.front().room_id;
    t.room_ids.push_back(t.empty_room_id);
    t.room_jids.push_back("lobby@" + domain);
  }

  Reply send(const std::string& method, const std::string& path, const std::string& token,
             const std::string& body = {}) {
    httplib::Headers h{{"Authorization", "Bearer " + token}};
    httplib::Result r = method == "GET" ? srv.client->Get(path.c_str(), h)
                                        : srv.client->Post(path.c_str(), h, body, "application/json");
    Reply out;
    REQUIRE(r);
    out.status = r->status;
    out.body = r->body;
    out.json.Parse(out.body.c_str());
    return out;
  }

  // A token of a role the route admits, limited to `tenant` ("" for none). Client tokens
  // speak for the tenant's first session.
  std::string token(Access access, const std::string& tenant) const {
    const std::int64_t now = unix_now();
    const Tenant& t = tenant == kB ? b : a;
    switch (access) {
      case Access::admin: return create_token(kSecret, Role::admin, 3600, now, "ops", tenant);
      case Access::poster: return create_token(kSecret, Role::service, 3600, now, "backend", tenant);
      case Access::client: return create_client_token(kSecret, t.sessions[0], "", 3600, now, tenant);
      // With the content claim: the walk must not find B's people or bodies where an analyst
      // that reads them would.
      default: return create_token(kSecret, Role::analyst, 3600, now, {}, tenant, true);
    }
  }
};

World& world() {
  static World w;
  return w;
}

// A valid body for each POST route, naming `room_id` where the body names a room.
std::string body_for(const std::string& path, const std::string& room_id) {
  if (path == "/v1/admin/rooms") return R"({"room":"fresh","owner":"ops@localhost"})";
  if (path.ends_with("/kick")) return R"({"nick":"dave"})";
  if (path.ends_with("/ban")) return R"({"jid":"mallory@localhost"})";
  if (path.ends_with("/affiliation")) return R"({"jid":"mallory@localhost","affiliation":"member"})";
  if (path.ends_with("/configure")) return R"({"name":"renamed"})";
  if (path.ends_with("/messages")) return R"({"body":"hello"})";
  if (path.ends_with("destroy-empty")) return R"({"dry_run":true})";
  if (path.ends_with("destroy-unused")) return R"({"days":0,"dry_run":true})";
  if (path.ends_with("telemetry")) return R"({"eventType":"audio_paused","roomId":")" + room_id + R"("})";
  return "{}";
}

// The route's path with each {parameter} standing for something of tenant `t`, or for
// nothing at all when `t` is null (an id no room or session has, a person never seen).
std::string concrete(const RouteInfo& r, const Tenant* t, bool by_jid) {
  std::string out = r.path;
  auto fill = [&](const char* name, const std::string& value) {
    const std::string key = std::string("{") + name + "}";
    for (auto at = out.find(key); at != std::string::npos; at = out.find(key)) out.replace(at, key.size(), value);
  };
  fill("id", t ? t->room_ids[0] : kUnknownId);
  fill("room", by_jid ? (t ? t->room_jids[0] : "nosuch@" + kA) : (t ? t->room_ids[0] : kUnknownId));
  fill("sessionid", t ? t->sessions[1] : kUnknownId);
  fill("jid", t ? t->users[1] : "nobody@localhost");
  REQUIRE_MESSAGE(out.find('{') == std::string::npos, "a parameter this test does not know: " << r.path);
  return out;
}

// An answer with the identifiers the request itself named replaced, so that the answer for
// B's id and the answer for an unknown id can be compared whole.
std::string masked(std::string body, const std::vector<std::string>& named) {
  for (const auto& n : named)
    for (auto at = body.find(n); at != std::string::npos; at = body.find(n)) body.replace(at, n.size(), "<named>");
  return body;
}

// What only B's rows hold and no request of A names (the walk names B's first room, its
// second session and its second person): the other sessions and rooms, a person, the bodies.
void check_nothing_of_b(const Reply& r, const World& w) {
  CAPTURE(r.body);
  for (std::size_t i = 0; i < w.b.sessions.size(); ++i)
    if (i != 1) CHECK(r.body.find(w.b.sessions[i]) == std::string::npos);
  for (std::size_t i = 1; i < w.b.room_ids.size(); ++i) CHECK(r.body.find(w.b.room_ids[i]) == std::string::npos);
  CHECK(r.body.find("dave") == std::string::npos);
  CHECK(r.body.find("frank") == std::string::npos);
  CHECK(r.body.find(kB + " secret") == std::string::npos);
}

bool has_params(const RouteInfo& r) { return r.path.find('{') != std::string::npos; }

}  // namespace

TEST_CASE("tenants: a token for tenant A answers every identifier of B exactly as one that names nothing") {
  World& w = world();
  const std::size_t decided = w.loop.decisions().size();
  std::size_t walked = 0;
  for (const RouteInfo& r : w.srv.server->routes()) {
    if (r.access == Access::open || !has_params(r)) continue;
    for (bool by_jid : {false, true}) {
      if (by_jid && r.path.find("{room}") == std::string::npos) continue;
      CAPTURE(r.method + " " + r.path);
      CAPTURE(by_jid);
      const std::string tok = w.token(r.access, kA);
      const std::string of_b = concrete(r, &w.b, by_jid), of_nobody = concrete(r, nullptr, by_jid);
      const Reply b = w.send(r.method, of_b, tok, body_for(r.path, w.b.room_ids[0]));
      const Reply none = w.send(r.method, of_nobody, tok, body_for(r.path, kUnknownId));
      CAPTURE(b.body);
      CAPTURE(none.body);
      CHECK(b.status == none.status);
      CHECK(masked(b.body, {w.b.room_ids[0], w.b.room_jids[0], w.b.sessions[1], w.b.users[1]}) ==
            masked(none.body, {kUnknownId, "nosuch@" + kA, "nobody@localhost"}));
      // Nothing of B, and no success that could have acted on it.
      CHECK((b.status == 404 || b.status == 403 || (b.status == 200 && r.method == "GET")));
      check_nothing_of_b(b, w);
      ++walked;
    }
  }
  CHECK(walked >= 20);
  // Nothing reached B's live rooms: every decision since is a refusal, or none was made.
  const auto decisions = w.loop.decisions();
  for (std::size_t i = decided; i < decisions.size(); ++i) CHECK_FALSE(decisions[i].ok());
}

TEST_CASE("tenants: without a tenant claim the same identifiers of B are found (the walk above is not vacuous)") {
  World& w = world();
  std::size_t found = 0;
  for (const RouteInfo& r : w.srv.server->routes()) {
    if (r.method != "GET" || r.access == Access::open || !has_params(r)) continue;
    CAPTURE(r.path);
    const Reply b = w.send("GET", concrete(r, &w.b, false), w.token(r.access, ""));
    CAPTURE(b.body);
    CHECK(b.status == 200);
    // The answer shows B's rows (the request named only the room, a session and a person).
    if (b.body.find("dave") != std::string::npos || b.body.find(w.b.sessions[0]) != std::string::npos ||
        b.body.find("standup@" + kB) != std::string::npos)
      ++found;
  }
  CHECK(found >= 8);
}

TEST_CASE("tenants: lists and analytics with a token for A hold A's rows only and add up to A's rows") {
  World& w = world();
  const std::string since = "2026-11-01T00:00:00Z", until = "2026-12-31T00:00:00Z";
  const std::string period = "since=" + since + "&until=" + until;
  for (const RouteInfo& r : w.srv.server->routes()) {
    if (r.method != "GET" || r.access == Access::open || has_params(r) || r.access == Access::metrics) continue;
    CAPTURE(r.path);
    std::string path = r.path;
    const bool from_to = path.ends_with("p2p-quality") || path.ends_with("overview") || path.ends_with("histograms");
    if (path.starts_with("/v1/analytics/")) path += "?" + (from_to ? "from=" + since + "&to=" + until : period);
    const Reply scoped = w.send("GET", path, w.token(r.access, kA));
    const Reply all = w.send("GET", path, w.token(r.access, ""));
    CAPTURE(scoped.body);
    CHECK(scoped.status == all.status);
    check_nothing_of_b(scoped, w);
  }

  const auto scoped = w.send("GET", "/v1/rooms", w.token(Access::analyst, kA));
  const auto all = w.send("GET", "/v1/rooms", w.token(Access::analyst, ""));
  CHECK(scoped.text("/total") == std::to_string(w.a.room_ids.size()));
  CHECK(all.text("/total") == std::to_string(w.a.room_ids.size() + w.b.room_ids.size()));

  const auto sum_a = w.send("GET", "/v1/analytics/summary?" + period, w.token(Access::analyst, kA));
  const auto sum_all = w.send("GET", "/v1/analytics/summary?" + period, w.token(Access::analyst, ""));
  REQUIRE(sum_a.status == 200);
  CHECK(sum_a.text("/rooms/created") == std::to_string(w.a.room_ids.size()));
  CHECK(sum_a.text("/messages") == std::to_string(w.a.messages));
  CHECK(sum_a.text("/sessions/total") == std::to_string(w.a.sessions.size()));
  CHECK(sum_all.text("/rooms/created") == std::to_string(w.a.room_ids.size() + w.b.room_ids.size()));
  CHECK(sum_all.text("/messages") == std::to_string(w.a.messages + w.b.messages));
  CHECK(sum_all.text("/sessions/total") == std::to_string(w.a.sessions.size() + w.b.sessions.size()));

  // Events per day: the sum over the days is A's events, as the events table counts them.
  pqxx::connection c(conninfo());
  pqxx::work tx(c);
  const auto count = [&](const std::string& domain) {
    return tx.exec_params1("SELECT count(*) FROM events WHERE domain = $1", domain)[0].as<long long>();
  };
  const auto per_day = [&](const std::string& tenant) {
    const Reply r = w.send("GET", "/v1/analytics/events-per-day?" + period, w.token(Access::analyst, tenant));
    REQUIRE(r.status == 200);
    long long n = 0;
    for (const auto& item : r.json["items"].GetArray()) n += item["count"].GetInt64();
    return n;
  };
  CHECK(per_day(kA) == count(kA));
  CHECK(per_day("") == count(kA) + count(kB));
  CHECK(count(kB) > 0);

  // The events list and a room's events: only A's.
  const Reply events = w.send("GET", "/v1/events?limit=1000", w.token(Access::analyst, kA));
  REQUIRE(events.status == 200);
  for (const auto& e : events.json["items"].GetArray())
    CHECK(std::string(e["room"].GetString()).ends_with("@" + kA));
}

TEST_CASE("tenants: live administration and telemetry with a token for A leave B's rooms alone") {
  World& w = world();
  const std::string kSweep = "/v1/admin/rooms/destroy-empty";
  // B's empty room is listed and swept for an unscoped admin, never for A's admin.
  const Reply dry_a = w.send("POST", kSweep, w.token(Access::admin, kA), R"({"dry_run":true})");
  REQUIRE(dry_a.status == 200);
  CHECK(dry_a.body.find(w.a.empty_room_id) != std::string::npos);
  CHECK(dry_a.body.find(w.b.empty_room_id) == std::string::npos);
  const Reply dry_all = w.send("POST", kSweep, w.token(Access::admin, ""), R"({"dry_run":true})");
  CHECK(dry_all.body.find(w.b.empty_room_id) != std::string::npos);
  const Reply swept = w.send("POST", kSweep, w.token(Access::admin, kA), "{}");
  REQUIRE(swept.status == 200);
  CHECK(swept.text("/count") == "1");
  CHECK(swept.body.find(w.a.empty_room_id) != std::string::npos);
  const Reply still = w.send("POST", kSweep, w.token(Access::admin, ""), R"({"dry_run":true})");
  CHECK(still.body.find(w.b.empty_room_id) != std::string::npos);

  // A's own rooms: a local part is A's room, by id too.
  CHECK(w.send("GET", "/v1/admin/rooms/standup/occupants", w.token(Access::admin, kA)).text("/room") ==
        "standup@" + kA);
  CHECK(w.send("GET", "/v1/admin/rooms/" + w.a.room_ids[0] + "/occupants", w.token(Access::admin, kA)).status == 200);
  // Creating a room in B's domain is not A's to do.
  const Reply create = w.send("POST", "/v1/admin/rooms", w.token(Access::admin, kA),
                              R"({"room":"new@)" + kB + R"(","owner":"ops@localhost"})");
  CHECK(create.status == 403);

  // Telemetry: A's client reports for A's room, and B's room is an unknown room to it.
  const std::string client = create_client_token(kSecret, w.a.sessions[0], "", 600, unix_now(), kA);
  const Reply mine = w.send("POST", "/v1/telemetry", client,
                            R"({"eventType":"audio_paused","roomId":")" + w.a.room_ids[0] + R"("})");
  CHECK(mine.status == 202);
  const Reply theirs = w.send("POST", "/v1/telemetry", client,
                              R"({"batch":[{"eventType":"audio_paused","roomId":")" + w.b.room_ids[0] + R"("}]})");
  REQUIRE(theirs.status == 202);
  CHECK(theirs.text("/rejected") == "1");
  CHECK(theirs.text("/results/0/error/condition") == "item-not-found");

  // The process's metrics and forgetting a person reach every tenant: not a tenant token's.
  CHECK(w.send("GET", "/metrics", w.token(Access::analyst, kA)).status == 403);
  CHECK(w.send("POST", "/v1/admin/users/dave@localhost/forget", w.token(Access::admin, kA), "{}").status == 403);
}

TEST_CASE("tenants: the scoped transaction sees A's rows only in every table and view, as the API's own user") {
  World& w = world();
  pqxx::connection c(conninfo());
  // Every table with a domain column has the policy and row-level security on.
  {
    pqxx::work tx(c);
    const pqxx::result unguarded = tx.exec(
        "SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "WHERE a.attname = 'domain' AND c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') "
        "AND NOT c.relispartition AND (NOT c.relrowsecurity OR NOT EXISTS "
        "(SELECT FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant'))");
    for (const auto& row : unguarded) FAIL_CHECK("no tenant policy on " << row[0].c_str());
    // ...and the scoped role's restrictive policy beside it (0017), which lets the scoped
    // reads use the (domain, …) indexes.
    const pqxx::result without = tx.exec(
        "SELECT c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE p.polname = 'tenant' "
        "AND NOT EXISTS (SELECT FROM pg_policy r WHERE r.polrelid = c.oid AND r.polname = 'tenant_reader' "
        "AND NOT r.polpermissive AND r.polroles = ARRAY['mucstream_tenant_reader'::regrole::oid])");
    for (const auto& row : without) FAIL_CHECK("no restrictive tenant_reader policy on " << row[0].c_str());
    // SECURITY DEFINER functions would read as their owner, past every policy.
    CHECK(tx.exec1("SELECT count(*) FROM pg_proc WHERE prosecdef AND pronamespace = 'public'::regnamespace")[0]
              .as<int>() == 0);
    // Every view has its invoker-rights copy.
    CHECK(tx.exec1("SELECT count(*) FROM pg_views v WHERE v.schemaname = 'public' AND NOT EXISTS "
                   "(SELECT FROM pg_views t WHERE t.schemaname = 'mucstream_tenant' AND t.viewname = v.viewname)")[0]
              .as<int>() == 0);
  }
  const std::string marker = "(" + std::regex_replace(kB, std::regex("\\."), "\\.") + "|" + w.b.room_ids[0] + "|" +
                             w.b.sessions[0] + ")";
  std::map<std::string, long long> b_rows_unscoped;
  for (const bool scoped : {false, true}) {
    pqxx::read_transaction tx(c);
    if (scoped) {
      tx.exec_params(
          "SELECT set_config('mucstream.tenant', $1, true), set_config('search_path', 'mucstream_tenant, public', true),"
          " set_config('role', 'mucstream_tenant_reader', true)",
          kA);
    }
    const pqxx::result relations = tx.exec(
        "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND NOT c.relispartition "
        "AND (c.relkind = 'v' OR (c.relkind IN ('r', 'p') AND EXISTS (SELECT FROM pg_attribute a "
        "WHERE a.attrelid = c.oid AND a.attname = 'domain'))) ORDER BY 1");
    REQUIRE(relations.size() >= 15);
    for (const auto& rel : relations) {
      const std::string name = rel[0].as<std::string>();
      CAPTURE(name);
      const std::string sql = "SELECT count(*) FROM " + tx.quote_name(name) + " v WHERE to_jsonb(v)::text ~ " +
                              tx.quote(marker);
      const long long n = tx.exec1(sql)[0].as<long long>();
      if (scoped) CHECK(n == 0);
      else b_rows_unscoped[name] = n;
    }
    if (scoped) {
      CHECK(tx.exec1("SELECT current_user")[0].as<std::string>() == "mucstream_tenant_reader");
      CHECK(tx.exec1("SELECT count(*) FROM events")[0].as<long long>() > 0);
      // The scoped role with no tenant named sees nothing (0017 fails closed), never everything.
      tx.exec("SELECT set_config('mucstream.tenant', '', true)");
      for (const char* t : {"events", "rooms", "users", "archive"})
        CHECK(tx.exec1(std::string("SELECT count(*) FROM ") + t)[0].as<long long>() == 0);
    }
  }
  // The unscoped reads (the API's own role, which owns the tables) see B everywhere it is.
  for (const char* t : {"events", "rooms", "users", "rollup_rooms", "archive", "room_summary", "messages"}) {
    CAPTURE(t);
    CHECK(b_rows_unscoped[t] > 0);
  }
}

TEST_CASE("tenants: a service role that owns the tables (no superuser) reads one tenant when scoped, all when not") {
  World& w = world();
  // The deployment's shape: the service's own role creates the database's tables by
  // migrating it, so it owns them (and owners pass row-level security), and serves the API.
  {
    pqxx::connection admin(conninfo());
    pqxx::nontransaction tx(admin);
    tx.exec0("CREATE ROLE mucstream_service LOGIN CREATEROLE");
    tx.exec0("CREATE DATABASE tenants_owned OWNER mucstream_service");
  }
  const std::string service = conninfo() + " user=mucstream_service dbname=tenants_owned";
  {
    pqxx::connection c(service);
    CHECK_FALSE(sql::migrate(c).empty());
    std::vector<core::Event> log;
    for (const auto& d : w.loop.decisions()) log.insert(log.end(), d.events.begin(), d.events.end());
    sql::EventWriter writer(c);
    REQUIRE(writer.write(log).inserted == log.size());
    pqxx::work tx(c);
    CHECK(tx.exec1("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> 'mucstream_service'")[0]
              .as<int>() == 0);
    CHECK_FALSE(tx.exec1("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")[0].as<bool>());
  }
  sql::PgReadStore store(service, 2);
  sql::RoomQuery q;
  q.per_page = 100;
  const auto all = store.rooms(q);
  CHECK(all.total == static_cast<std::int64_t>(w.a.room_ids.size() + w.b.room_ids.size()));
  {
    const sql::TenantScope scope(kA);
    const auto mine = store.rooms(q);
    CHECK(mine.total == static_cast<std::int64_t>(w.a.room_ids.size()));
    for (const auto& r : mine.items) CHECK(r.jid.ends_with("@" + kA));
    CHECK_FALSE(store.room(w.b.room_ids[0]).has_value());
    CHECK_FALSE(store.user(w.b.sessions[0]).has_value());
    CHECK(store.user(w.a.sessions[0]).has_value());
  }
  // The scope ended with its block: the same store reads every tenant again.
  CHECK(store.room(w.b.room_ids[0]).has_value());
}

// Last: it adds a room of B only to the database, which the counts above do not expect.
TEST_CASE("tenants: a local part names the tenant's room, else the one domain's, and is 409 when several domains have it") {
  World& w = world();
  const std::string all = w.token(Access::analyst, "");
  // Both domains have a standup: without a tenant the read routes refuse to guess.
  for (const std::string& path : std::vector<std::string>{"/v1/rooms/standup", "/v1/rooms/standup/users", "/v1/rooms/standup/events",
                                 "/v1/rooms/standup/timeline", "/v1/rooms/standup/messages",
                                 "/v1/analytics/events-per-day?room=standup", "/v1/events?room=standup"}) {
    CAPTURE(path);
    const Reply r = w.send("GET", path, all);
    CAPTURE(r.body);
    CHECK(r.status == 409);
    CHECK(r.text("/error/code") == "conflict");
    const std::string message = r.text("/error/message");
    CHECK(message.find("standup@" + kA) != std::string::npos);
    CHECK(message.find("standup@" + kB) != std::string::npos);
    CHECK(message.find("bare JID") != std::string::npos);
  }
  // The bare JID or the id names one room whatever the token.
  CHECK(w.send("GET", "/v1/rooms/standup@" + kB, all).text("/jid") == "standup@" + kB);
  CHECK(w.send("GET", "/v1/rooms/" + w.b.room_ids[0], all).text("/jid") == "standup@" + kB);
  // A tenant's token: its own room, for each tenant.
  CHECK(w.send("GET", "/v1/rooms/standup", w.token(Access::analyst, kA)).text("/jid") == "standup@" + kA);
  CHECK(w.send("GET", "/v1/rooms/standup", w.token(Access::analyst, kB)).text("/jid") == "standup@" + kB);
  // A user token: the rooms it may read among them (dave was in B's standup only), so a 409
  // never names a room it may not read.
  const std::string dave = create_token(kSecret, Role::user, 3600, unix_now(), "dave@localhost");
  const Reply own = w.send("GET", "/v1/rooms/standup/messages", dave);
  CHECK(own.status == 200);
  CHECK(own.text("/room") == "standup@" + kB);

  // A local part only B has: found without a tenant, unknown to A's token.
  const std::size_t mark = w.loop.decisions().size();
  core::Join j;
  j.user = std::get<core::Jid>(core::Jid::parse("grace@localhost/web"));
  j.room = "solo@" + kB;
  j.nick = "grace";
  REQUIRE(w.loop.run(j).ok());
  REQUIRE(w.loop.run(core::Configure{core::Requester::user(j.user), j.room, {}}).ok());
  std::vector<core::Event> log;
  const auto decisions = w.loop.decisions();
  for (std::size_t i = mark; i < decisions.size(); ++i)
    log.insert(log.end(), decisions[i].events.begin(), decisions[i].events.end());
  {
    pqxx::connection c(conninfo());
    sql::EventWriter writer(c);
    REQUIRE(writer.write(log).inserted == log.size());
  }
  CHECK(w.send("GET", "/v1/rooms/solo", all).text("/jid") == "solo@" + kB);
  CHECK(w.send("GET", "/v1/rooms/solo", w.token(Access::analyst, kA)).status == 404);

  // GET /v1/rooms?domain=: the server lists one domain's rooms (normalised as JIDs are).
  const Reply of_b = w.send("GET", "/v1/rooms?per_page=100&domain=ROOMS.Globex.example", all);
  REQUIRE(of_b.status == 200);
  CHECK(of_b.text("/total") == std::to_string(w.b.room_ids.size() + 1));
  for (const auto& r : of_b.json["items"].GetArray()) CHECK(std::string(r["jid"].GetString()).ends_with("@" + kB));
  CHECK(w.send("GET", "/v1/rooms?domain=" + kA + "&name=standup", all).text("/total") == "1");
  // A tenant's token asking for another domain lists nothing of it.
  CHECK(w.send("GET", "/v1/rooms?domain=" + kB, w.token(Access::analyst, kA)).text("/total") == "0");
  for (const std::string& bad : std::vector<std::string>{"standup%40" + kB, kB + "%2Fres", "", "a%20b"}) {
    CAPTURE(bad);
    const Reply r = w.send("GET", "/v1/rooms?domain=" + bad, all);
    CHECK(r.status == 400);
    CHECK(r.text("/error/parameter") == "domain");
  }
}
