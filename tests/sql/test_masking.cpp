// Room-name masking through the real materialiser (Kafka mock cluster, real PostgreSQL): no
// column of any table holds a room's name, title or description in clear, and the
// analytics still count per room.
#include "crypto/openssl_crypto.hpp"
#include "events/kafka.hpp"
#include "sql/masking.hpp"
#include "tests/sql/lifecycle_support.hpp"
#include "tests/sql/support.hpp"

using namespace mucstream;
using namespace mucstream::testing;

namespace {

constexpr std::int64_t kNov2026 = 1795996800000;  // 2026-11-30

sql::RoomMask mask_with(const std::string& key) {
  auto crypto = std::make_shared<crypto::OpenSslCrypto>();
  return sql::RoomMask([crypto, key](std::string_view m) { return crypto->hmac_sha256(key, m); });
}

// A meeting in a room named `local`, titled and described after it, where two people talk.
std::vector<core::Event> meeting(events::UuidV7Ids& ids, const std::string& local, std::int64_t at) {
  LifecycleRoom r(ids, local + "@rooms.test", at);
  core::data::RoomCreated created{.creator = "owner@example.com"};
  created.config.name = "Acquisition of " + local;
  created.config.description = "Where " + local + " is planned";
  const core::Event ann = r.joined("ann@example.com", "ann");
  const core::Event bob = r.joined("bob@example.com", "bob");
  core::data::RoomDestroyed end{.reason = "destroyed", .alternate = local + "-next@rooms.test"};
  return {r.make(created), ann, bob, r.message(ann, "hello"), r.left(ann), r.left(bob), r.make(end)};
}

}  // namespace

TEST_CASE("sql: masked room names: no clear name in any table, and the analytics still count per room") {
  TestDb db;
  std::unique_ptr<events::MockCluster> mock;
  const std::string brokers = fresh_mock(mock).bootstraps();
  events::UuidV7Ids ids;
  std::vector<core::Event> log = meeting(ids, "projectfalcon", kNov2026);
  const std::vector<core::Event> again = meeting(ids, "projectfalcon", kNov2026 + 3'600'000);  // same JID, new room
  log.insert(log.end(), again.begin(), again.end());
  const std::vector<core::Event> other = meeting(ids, "zebracrossing", kNov2026 + 7'200'000);
  log.insert(log.end(), other.begin(), other.end());
  {
    events::Producer p(events::ProducerConfig{brokers, "mucstream.events", {}, events::ProducerConfig::QueueFull::wait,
                                              1000, ""});
    for (const auto& e : log) p.publish(e);
    REQUIRE(p.flush(30000));
  }

  const sql::RoomMask mask = mask_with("a key of at least sixteen bytes");
  sql::MaterializerConfig cfg = materializer_config(brokers, db);
  cfg.transform = [&mask](core::Event& e) { mask.apply(e); };
  Running m(cfg);
  REQUIRE(wait_until([&] { return stored_events(db) == static_cast<std::int64_t>(log.size()); }));
  m.stop();

  pqxx::connection c(db.conn_string());
  for (const char* clear : {"projectfalcon", "zebracrossing", "Acquisition of", "is planned"}) {
    CAPTURE(clear);
    CHECK(search_database(c, clear) == "");
  }
  // One mask per JID, the domain kept; the analytics group by it as they grouped by the name.
  const std::string falcon = mask.room_jid("projectfalcon@rooms.test");
  CHECK(falcon.size() == std::string("r-").size() + 24 + std::string("@rooms.test").size());
  CHECK(falcon.substr(falcon.size() - 11) == "@rooms.test");
  CHECK(db.count("SELECT count(*) FROM rooms WHERE jid = '" + falcon + "'") == 2);
  CHECK(db.count("SELECT count(DISTINCT jid) FROM rooms") == 2);
  CHECK(db.count("SELECT sum(sessions) FROM room_summary WHERE jid = '" + falcon + "'") == 4);
  CHECK(db.count("SELECT count(*) FROM rooms WHERE name = '" + falcon.substr(0, falcon.find('@')) + "'") == 2);
  CHECK(db.count("SELECT count(*) FROM rooms WHERE (reports->>'participants')::int = 2") == 3);
  CHECK(db.count("SELECT count(*) FROM events WHERE data->>'alternate' = '" +
                 mask.room_jid("projectfalcon-next@rooms.test") + "'") == 2);
  CHECK(db.count("SELECT count(*) FROM rooms WHERE config->>'name' LIKE 't-%' AND config->>'description' LIKE 'd-%'") ==
        3);
  // Another key, other masks: without the key a name cannot be checked against a mask.
  CHECK(mask_with("another key, also sixteen bytes").room_jid("projectfalcon@rooms.test") != falcon);
}
