// Warming the read pool. A fresh PostgreSQL backend plans its first query over the events
// partitions slowly: it loads the catalog entries of every partition and index it considers
// (on the 10M-event benchmark a room's timeline took 44 ms and a room's P2P quality 52 ms on
// a fresh connection, 4 and 9 ms on the next request). Left to requests, each of the pool's
// connections charges that to the first request of each kind it serves, which for a dashboard
// page of six parallel reads means most loads for many minutes. The warm-up opens every
// connection at start-up and runs the room page's and the long-range pages' reads on it for
// a room that does not exist: the same statements, prepared and planned as requests run them.
#include "sql/pg_read_pool.hpp"
#include "sql/read_calls.hpp"

namespace mucstream::sql {
namespace {

constexpr const char* kNoRoom = "00000000-0000-0000-0000-000000000000";

void run_reads(PgReadStore& store) {
  const UnixMicros day = 86'400'000'000LL, until = 4'102'444'800'000'000LL;  // 2100-01-01
  store.room(kNoRoom);
  store.room_users(UserQuery{kNoRoom, std::nullopt, 1, 1});
  store.room_occupancy(kNoRoom);
  EventQuery events;
  events.room_id = kNoRoom;
  events.limit = 1;
  store.events(events);
  store.room_timeline(TimelineQuery{kNoRoom, {}, 1});
  store.p2p_quality(CallPeriodQuery{until - day, until, kNoRoom, 1, 1});
  store.media_usage(CallPeriodQuery{until - day, until, kNoRoom, 1, 1});
  // The period pages' reads, over a day with no rows.
  store.summary(TimeRange{until - day, until});
  store.p2p_quality(CallPeriodQuery{until - day, until, std::nullopt, 1, 1});
  store.media_usage(CallPeriodQuery{until - day, until, std::nullopt, 1, 1});
  store.room_calls(CallPeriodQuery{until - day, until, std::nullopt, 1, 1});
}

}  // namespace

void PgReadStore::warm_up() {
  Impl* impl = impl_.get();
  if (impl->warmer.joinable()) return;
  impl->warmer = std::thread([this, impl] {
    for (std::size_t i = 0; i < impl->max && !impl->stopping; ++i) {
      {
        std::lock_guard lock(impl->mu);
        if (impl->open >= impl->max) return;
      }
      // Any failure (PostgreSQL not up yet, a migration not applied) ends the warm-up only:
      // requests open their connections as before.
      try {
        auto conn = std::make_unique<pqxx::connection>(impl->conninfo);
        Impl::pinned = conn.get();
        run_reads(*this);
        Impl::pinned = nullptr;
        if (!impl->adopt(std::move(conn))) return;
      } catch (const std::exception&) {
        Impl::pinned = nullptr;
        return;
      }
    }
  });
}

}  // namespace mucstream::sql
