#pragma once
// What the dashboard's own endpoints read (GET /v1/analytics/overview, /histograms,
// /p2p-quality and /v1/rooms/{id}/occupancy): row types and the band definitions both the
// SQL and the API share. ReadStore (read_store.hpp) declares the queries.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sql/read_calls.hpp"

namespace mucstream::sql {

// Calendar buckets, UTC; a week starts on Monday (PostgreSQL's date_trunc('week')).
enum class Bucket { hour, day, week, month };
const char* bucket_name(Bucket b);  // "hour" | "day" | "week" | "month"

struct BucketQuery {
  UnixMicros from = 0, to = 0;  // [from, to)
  Bucket bucket = Bucket::day;
};

// One bucket of the overview: rooms and sessions active in it (created before its end and
// not ended before its start).
struct OverviewPeriod {
  UnixMicros start = 0;
  std::int64_t rooms = 0, sessions = 0;
};

struct CountBy {
  std::string value;  // "unknown" when the client did not say
  std::int64_t sessions = 0;
};

struct Overview {
  std::int64_t rooms_now = 0, sessions_now = 0;  // not ended
  std::vector<OverviewPeriod> periods;           // every bucket overlapping [from, to), oldest first
  std::vector<CountBy> by_type, by_os, by_browser;  // sessions created in [from, to), most first
};

// Room duration bands (talky's): upper bounds in seconds of all but the last band.
inline constexpr std::array<const char*, 15> kDurationBands = {
    "<5s",     "5s-30s",  "30s-1m", "1m-5m", "5m-10m", "10m-20m", "20m-30m", "30m-45m",
    "45m-1h",  "1h-2h",   "2h-4h",  "4h-8h", "8h-12h", "12h-1d",  ">1d"};
inline constexpr std::array<std::int64_t, 14> kDurationBounds = {5,    30,    60,    300,   600,   1200,  1800,
                                                                 2700, 3600,  7200,  14400, 28800, 43200, 86400};
// Peak occupant bands: "1" … "10", ">10". A room nobody ever joined (peak 0) is in no band.
inline constexpr std::array<const char*, 11> kPeakBands = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", ">10"};

// Rooms created in [from, to) counted by (duration band, peak band): cells[d][p], with
// p == kPeakBands.size() for rooms whose peak is 0. A live room counts by its duration so far.
struct RoomBandMatrix {
  std::array<std::array<std::int64_t, kPeakBands.size() + 1>, kDurationBands.size()> cells{};
};

struct OccupancyPoint {
  UnixMicros time = 0;
  std::int64_t occupants = 0;  // after every join and leave at that instant
};

// One bucket of P2P quality, counted whole: sessions started in it, the stats samples taken
// in it, and the P2P sessions that ended in it (and how many of those failed, by
// mucstream_p2p_outcome).
struct P2PQualityPeriod {
  UnixMicros start = 0;
  std::int64_t sessions = 0, samples = 0, relayed_samples = 0, ended = 0, failed = 0;
  std::optional<double> avg_rtt_ms, avg_jitter_ms, avg_packet_loss;
};

}  // namespace mucstream::sql
