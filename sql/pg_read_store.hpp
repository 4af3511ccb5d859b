#pragma once
// ReadStore on PostgreSQL (libpqxx): the rooms, users and events tables and the call views
// of sql/migrations, read beside the writer (writer.hpp) that fills them.
// Every query is constant SQL text with $n parameters bound by exec_params; optional
// filters are "$n IS NULL OR …", so nothing a client sends ever becomes SQL. A small
// connection pool serves the HTTP threads; a broken connection is replaced and the query
// retried once, and when PostgreSQL cannot be reached the calls throw StoreUnavailable.
#include <memory>
#include <string>

#include "sql/read_store.hpp"

namespace mucstream::sql {

class PgReadStore final : public ReadStore {
 public:
  PgReadStore(std::string conninfo, std::size_t max_connections);
  ~PgReadStore() override;

  // Opens the pool's connections in the background and runs the heavy reads once on each
  // (pg_read_warm.cpp), so that no request pays a fresh server process's first plans.
  void warm_up();

  Page<RoomRow> rooms(const RoomQuery&) override;
  std::optional<RoomRow> room(const std::string& id) override;
  Page<UserRow> room_users(const UserQuery&) override;
  std::optional<UserRow> user(const std::string& sessionid) override;
  std::vector<EventRow> events(const EventQuery&) override;
  Summary summary(const TimeRange& period) override;
  std::vector<DailyCount> events_per_day(const TimeRange& period, const std::vector<std::string>& types,
                                         const std::optional<std::string>& room_id) override;
  // pg_read_calls.cpp
  std::vector<TimelineItem> room_timeline(const TimelineQuery&) override;
  P2PQuality p2p_quality(const CallPeriodQuery&) override;
  MediaReport media_usage(const CallPeriodQuery&) override;
  Page<RoomCallsRow> room_calls(const CallPeriodQuery&) override;
  // pg_read_dashboard.cpp
  Overview overview(const BucketQuery&) override;
  RoomBandMatrix room_bands(UnixMicros from, UnixMicros to) override;
  std::vector<OccupancyPoint> room_occupancy(const std::string& room_id) override;
  std::vector<P2PQualityPeriod> p2p_quality_series(const BucketQuery&) override;
  // pg_read_messages.cpp
  std::vector<RoomIdentity> find_rooms(const RoomName&) override;
  bool user_may_read(const std::string& userid, const std::string& room_id) override;
  core::ArchiveResult archive(const core::ArchiveQuery& q, std::uint32_t max_cap) override;
  Page<UserRoomRow> user_rooms(const UserRoomsQuery&) override;
  bool healthy() override;
  std::int64_t active_rooms() override;
  std::int64_t active_sessions() override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mucstream::sql
