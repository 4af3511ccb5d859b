#pragma once
// A ReadStore answering from vectors, for HTTP tests that are about the server (auth, CORS,
// errors, parameters) rather than SQL. It applies the same filters and order as PgReadStore,
// and remembers the last event query it was asked.
#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "analytics/params.hpp"
#include "sql/read_store.hpp"

namespace mucstream::analytics::testing {

class MemoryStore final : public sql::ReadStore {
 public:
  std::vector<sql::RoomRow> rooms_;
  std::vector<sql::UserRow> users_;
  std::vector<sql::EventRow> events_;
  bool down = false;
  std::optional<sql::EventQuery> last_event_query;
  std::optional<sql::RoomQuery> last_room_query;

  sql::Page<sql::RoomRow> rooms(const sql::RoomQuery& q) override {
    std::lock_guard l(mu_);
    check();
    last_room_query = q;
    std::vector<sql::RoomRow> all;
    for (const auto& r : rooms_)
      if ((!q.active || *q.active == !r.ended) && (!q.name || *q.name == r.name) &&
          (!q.domain || r.jid.ends_with("@" + *q.domain)) &&
          (!q.created.since || r.created >= *q.created.since) && (!q.created.until || r.created < *q.created.until))
        all.push_back(r);
    std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return std::tie(b.created, b.id) < std::tie(a.created, a.id); });
    sql::Page<sql::RoomRow> p;
    p.total = static_cast<std::int64_t>(all.size());
    const auto from = static_cast<std::size_t>((q.page - 1) * q.per_page);
    for (std::size_t i = from; i < all.size() && i < from + static_cast<std::size_t>(q.per_page); ++i)
      p.items.push_back(all[i]);
    return p;
  }
  std::optional<sql::RoomRow> room(const std::string& id) override {
    std::lock_guard l(mu_);
    check();
    for (const auto& r : rooms_)
      if (r.id == id) return r;
    return std::nullopt;
  }
  sql::Page<sql::UserRow> room_users(const sql::UserQuery& q) override {
    std::lock_guard l(mu_);
    check();
    sql::Page<sql::UserRow> p;
    std::vector<sql::UserRow> all;
    for (const auto& u : users_)
      if (u.room_id == q.room_id && (!q.active || *q.active == !u.ended)) all.push_back(u);
    p.total = static_cast<std::int64_t>(all.size());
    const auto from = static_cast<std::size_t>((q.page - 1) * q.per_page);
    for (std::size_t i = from; i < all.size() && i < from + static_cast<std::size_t>(q.per_page); ++i)
      p.items.push_back(all[i]);
    return p;
  }
  std::optional<sql::UserRow> user(const std::string& sid) override {
    std::lock_guard l(mu_);
    check();
    for (const auto& u : users_)
      if (u.sessionid == sid) return u;
    return std::nullopt;
  }
  std::vector<sql::EventRow> events(const sql::EventQuery& q) override {
    std::lock_guard l(mu_);
    check();
    last_event_query = q;
    std::vector<sql::EventRow> all;
    for (const auto& e : events_) {
      if (!q.types.empty() && std::find(q.types.begin(), q.types.end(), e.type) == q.types.end()) continue;
      if (q.room_id && e.room_id != *q.room_id) continue;
      if (q.room_jid && e.room != *q.room_jid) continue;
      if (q.actor && e.actor != q.actor) continue;
      if (q.time.since && e.time < *q.time.since) continue;
      if (q.time.until && e.time >= *q.time.until) continue;
      if (q.after) {
        const auto pos = std::tie(e.time, e.id);
        const auto cur = std::tie(q.after->time, q.after->id);
        if (q.descending ? !(pos < cur) : !(cur < pos)) continue;
      }
      all.push_back(e);
    }
    std::sort(all.begin(), all.end(), [&](auto& a, auto& b) {
      return q.descending ? std::tie(b.time, b.id) < std::tie(a.time, a.id) : std::tie(a.time, a.id) < std::tie(b.time, b.id);
    });
    if (static_cast<std::int64_t>(all.size()) > q.limit + 1) all.resize(static_cast<std::size_t>(q.limit + 1));
    return all;
  }
  // Counts only what the HTTP tests look at; the real computation is PgReadStore's (pg_tests).
  sql::Summary summary(const sql::TimeRange& period) override {
    std::lock_guard l(mu_);
    check();
    sql::Summary s;
    for (const auto& r : rooms_)
      if (r.created >= *period.since && r.created < *period.until) ++s.rooms_created;
    for (const auto& e : events_)
      if (e.type == "message_sent" && e.time >= *period.since && e.time < *period.until) ++s.messages;
    return s;
  }
  std::vector<sql::DailyCount> events_per_day(const sql::TimeRange& period, const std::vector<std::string>& types,
                                         const std::optional<std::string>& room_id) override {
    std::lock_guard l(mu_);
    check();
    std::map<std::pair<std::string, std::string>, std::int64_t> counts;
    for (const auto& e : events_)
      if (e.time >= *period.since && e.time < *period.until &&
          (types.empty() || std::find(types.begin(), types.end(), e.type) != types.end()) &&
          (!room_id || e.room_id == *room_id))
        ++counts[{format_rfc3339(e.time).substr(0, 10), e.type}];
    std::vector<sql::DailyCount> out;
    for (const auto& [k, n] : counts) out.push_back({k.first, k.second, n});
    return out;
  }
  // Calls and media: the figures are PgReadStore's (views_pg_tests); these record what the
  // routes asked so the HTTP tests can check parameters reach the store validated.
  std::vector<sql::TimelineItem> timeline_;
  std::optional<sql::TimelineQuery> last_timeline_query;
  std::optional<sql::CallPeriodQuery> last_period_query;
  std::vector<sql::TimelineItem> room_timeline(const sql::TimelineQuery& q) override {
    std::lock_guard l(mu_);
    check();
    last_timeline_query = q;
    std::vector<sql::TimelineItem> out;
    for (const auto& t : timeline_)
      if (q.kinds.empty() || std::find(q.kinds.begin(), q.kinds.end(), t.kind) != q.kinds.end()) out.push_back(t);
    if (static_cast<std::int64_t>(out.size()) > q.limit + 1) out.resize(static_cast<std::size_t>(q.limit + 1));
    return out;
  }
  sql::P2PQuality p2p_quality(const sql::CallPeriodQuery& q) override {
    std::lock_guard l(mu_);
    check();
    last_period_query = q;
    return {};
  }
  sql::MediaReport media_;  // what media_usage answers, whatever the period
  sql::MediaReport media_usage(const sql::CallPeriodQuery& q) override {
    std::lock_guard l(mu_);
    check();
    last_period_query = q;
    return media_;
  }
  sql::Page<sql::RoomCallsRow> room_calls(const sql::CallPeriodQuery& q) override {
    std::lock_guard l(mu_);
    check();
    last_period_query = q;
    return {};
  }
  // Dashboard: the figures are PgReadStore's (dashboard_pg_tests); these record the
  // validated parameters and answer with the room counts the HTTP tests can check.
  std::optional<sql::BucketQuery> last_bucket_query;
  sql::Overview overview(const sql::BucketQuery& q) override {
    std::lock_guard l(mu_);
    check();
    last_bucket_query = q;
    sql::Overview o;
    for (const auto& r : rooms_) o.rooms_now += r.ended ? 0 : 1;
    for (const auto& u : users_) o.sessions_now += u.ended ? 0 : 1;
    return o;
  }
  sql::RoomBandMatrix room_bands(sql::UnixMicros from, sql::UnixMicros to) override {
    std::lock_guard l(mu_);
    check();
    sql::RoomBandMatrix m;
    for (const auto& r : rooms_)
      if (r.created >= from && r.created < to) ++m.cells[0][sql::kPeakBands.size()];
    return m;
  }
  std::vector<sql::OccupancyPoint> room_occupancy(const std::string&) override {
    std::lock_guard l(mu_);
    check();
    return {};
  }
  std::vector<sql::P2PQualityPeriod> p2p_quality_series(const sql::BucketQuery& q) override {
    std::lock_guard l(mu_);
    check();
    last_bucket_query = q;
    return {};
  }
  // Messages: archive rows by room id, oldest first; members by room id.
  std::map<std::string, std::vector<core::ArchivedMessage>> archive_;
  std::map<std::string, std::set<std::string>> members_;
  std::optional<core::ArchiveQuery> last_archive_query;

  std::vector<sql::RoomIdentity> find_rooms(const sql::RoomName& n) override {
    std::lock_guard l(mu_);
    check();
    std::map<std::string, const sql::RoomRow*> best;  // by JID, ordered as the store orders them
    for (const auto& r : rooms_) {
      const bool match = n.kind == sql::RoomName::Kind::id ? r.id == n.text
                         : n.kind == sql::RoomName::Kind::jid ? r.jid == n.text
                                                              : r.name == n.text;
      if (!match) continue;
      // The live room, else the latest.
      const sql::RoomRow*& b = best[r.jid];
      if (b == nullptr || std::make_tuple(!r.ended, r.created) > std::make_tuple(!b->ended, b->created)) b = &r;
    }
    std::vector<sql::RoomIdentity> out;
    for (const auto& [jid, r] : best) out.push_back(sql::RoomIdentity{r->id, r->jid, !r->ended});
    return out;
  }
  bool user_may_read(const std::string& userid, const std::string& room_id) override {
    std::lock_guard l(mu_);
    check();
    for (const auto& u : users_)
      if (u.userid == userid && u.room_id == room_id) return true;
    auto m = members_.find(room_id);
    return m != members_.end() && m->second.count(userid) > 0;
  }
  core::ArchiveResult archive(const core::ArchiveQuery& q, std::uint32_t max_cap) override {
    std::lock_guard l(mu_);
    check();
    last_archive_query = q;
    const auto& all = archive_[q.room_id];
    const std::size_t max = std::min<std::size_t>(q.max, max_cap);
    auto index_of = [&](const std::string& id) -> std::optional<std::size_t> {
      for (std::size_t i = 0; i < all.size(); ++i)
        if (all[i].stanza_id == id) return i;
      return std::nullopt;
    };
    std::size_t from = 0, to = all.size();  // the candidate range [from, to)
    if (q.rsm_after) {
      auto i = index_of(*q.rsm_after);
      if (!i) return core::ArchiveFailure::item_not_found;
      from = *i + 1;
    } else if (q.rsm_before) {
      auto i = index_of(*q.rsm_before);
      if (!i) return core::ArchiveFailure::item_not_found;
      to = *i;
    }
    core::ArchivePage p;
    if (q.rsm_after) {
      for (std::size_t i = from; i < to && p.messages.size() < max; ++i) p.messages.push_back(all[i]);
      p.complete = from + p.messages.size() >= to;
    } else {
      const std::size_t start = to - std::min(max, to - from);
      for (std::size_t i = start; i < to; ++i) p.messages.push_back(all[i]);
      p.complete = start == from;
    }
    return p;
  }
  sql::Page<sql::UserRoomRow> user_rooms(const sql::UserRoomsQuery& q) override {
    std::lock_guard l(mu_);
    check();
    std::vector<sql::UserRoomRow> rows;
    for (const auto& r : rooms_) {
      sql::UserRoomRow row;
      for (const auto& u : users_)
        if (u.userid == q.userid && u.room_id == r.id) {
          ++row.sessions;
          row.last_joined = std::max(row.last_joined, u.created);
        }
      if (row.sessions == 0) continue;
      row.room_id = r.id;
      row.jid = r.jid;
      row.name = r.name;
      row.created = r.created;
      row.ended = r.ended;
      auto a = archive_.find(r.id);
      if (a != archive_.end() && !a->second.empty()) row.latest = a->second.back();
      rows.push_back(row);
    }
    auto activity = [](const sql::UserRoomRow& r) { return r.latest ? r.latest->time_ms * 1000 : r.last_joined; };
    std::sort(rows.begin(), rows.end(), [&](auto& a, auto& b) { return activity(a) > activity(b); });
    sql::Page<sql::UserRoomRow> p;
    p.total = static_cast<std::int64_t>(rows.size());
    const auto from = static_cast<std::size_t>((q.page - 1) * q.per_page);
    for (std::size_t i = from; i < rows.size() && i < from + static_cast<std::size_t>(q.per_page); ++i)
      p.items.push_back(rows[i]);
    return p;
  }

  bool healthy() override { return !down; }
  std::int64_t active_rooms() override {
    std::lock_guard l(mu_);
    check();
    return std::count_if(rooms_.begin(), rooms_.end(), [](auto& r) { return !r.ended; });
  }
  std::int64_t active_sessions() override {
    std::lock_guard l(mu_);
    check();
    return std::count_if(users_.begin(), users_.end(), [](auto& u) { return !u.ended; });
  }

 private:
  void check() const {
    if (down) throw sql::StoreUnavailable("memory store is down");
  }
  std::mutex mu_;
};

}  // namespace mucstream::analytics::testing
