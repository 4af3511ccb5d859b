// Call and media analytics (analyst token): a room's timeline, a period's P2P quality, media
// usage per session, and rooms with their calls. The numbers come from the views of
// sql/migrations/0004_call_views.sql (sql/pg_read_calls.cpp); here: parameters and JSON.
#include <set>

#include "analytics/json.hpp"
#include "analytics/personal_data.hpp"
#include "analytics/room_names.hpp"
#include "analytics/server.hpp"
#include "sql/read_store.hpp"

namespace mucstream::analytics {
namespace {

constexpr UnixMicros kDay = 86400LL * 1000000;
constexpr std::int64_t kMaxPage = 1000000;
constexpr std::int64_t kMaxPerPage = 1000;

// since/until with the summary's defaults (the 7 days before until, or before now), at
// most 366 days so one request cannot ask for the whole history at once.
void read_period(Query& q, sql::CallPeriodQuery& out) {
  auto since = q.time("since");
  auto until = q.time("until");
  check_range(since, until);
  if (!until) until = since ? *since + 7 * kDay : default_until(unix_now());
  if (!since) since = *until - 7 * kDay;
  if (*until - *since > 366 * kDay) throw ParamError("until", "the period is longer than 366 days");
  out.since = *since;
  out.until = *until;
}

void write_period(JsonOut& j, const sql::CallPeriodQuery& p) {
  j.key("since").time(p.since).key("until").time(p.until);
}

// The `room` parameter: a room's id, JID or local part (room_names.hpp), as the room's id.
std::optional<std::string> room_param(sql::ReadStore& store, Query& q) {
  const auto text = q.text("room", 3071);
  if (!text) return std::nullopt;
  return resolve_room(store, *text, "room").id;
}

}  // namespace

void add_call_routes(HttpServer& server, sql::ReadStore& store) {
  server.route("GET", "/v1/rooms/{id}/timeline", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    static const std::set<std::string, std::less<>> kinds(sql::timeline_kinds().begin(), sql::timeline_kinds().end());
    sql::TimelineQuery tq;
    tq.room_id = resolve_room(store, req.path_params.at(0), "id").id;
    tq.kinds = req.query.list_of("kind", kinds);
    tq.limit = req.query.integer("limit", 1000, 1, 10000);
    req.query.check_all_used();
    const auto room = store.room(tq.room_id);
    if (!room) throw HttpError(404, "no room with id " + tq.room_id);
    auto items = store.room_timeline(tq);
    const bool truncated = static_cast<std::int64_t>(items.size()) > tq.limit;
    if (truncated) items.resize(static_cast<std::size_t>(tq.limit));
    // Without content access a detail names nobody (as room_timeline does for the analyst role).
    const bool content = req.principal && may_read_content(*req.principal);
    JsonOut j;
    j.begin_object().key("room_id").str(room->id).key("jid").str(room->jid);
    j.key("created").time(room->created).key("ended").time(room->ended).key("items").begin_array();
    for (const auto& t : items) {
      j.begin_object().key("kind").str(t.kind).key("session").str(t.session).key("nick").str(t.nick);
      j.key("peer").str(t.peer).key("peer_nick").str(t.peer_nick);
      j.key("started").time(t.started).key("ended").time(t.ended).key("end_source").str(t.end_source);
      j.key("duration_seconds").number(t.duration_seconds).key("detail");
      j.raw(content ? t.detail_json : without_keys_anywhere(t.detail_json, {"userid", "useragent", "jid", "bare_jid"}));
      j.end_object();
    }
    j.end_array().key("truncated").boolean(truncated).end_object();
    res.body = j.take();
  });

  server.route("GET", "/v1/analytics/p2p", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    sql::CallPeriodQuery q;
    read_period(req.query, q);
    q.room_id = room_param(store, req.query);
    req.query.check_all_used();
    const sql::P2PQuality p = store.p2p_quality(q);
    JsonOut j;
    j.begin_object();
    write_period(j, q);
    j.key("room").str(q.room_id);
    j.key("sessions").begin_object().key("total").i64(p.sessions).key("completed").i64(p.completed);
    j.key("failed").i64(p.failed).key("interrupted").i64(p.interrupted).key("ongoing").i64(p.ongoing);
    j.key("with_stats").i64(p.with_stats).key("relayed").i64(p.relayed).key("relayed_share").number(p.relayed_share);
    j.end_object();
    j.key("duration_seconds").begin_object().key("mean").number(p.duration_mean_seconds);
    j.key("p95").number(p.duration_p95_seconds).key("total").number(p.duration_total_seconds).end_object();
    j.key("samples").i64(p.samples);
    j.key("rtt_ms").begin_object().key("median").number(p.rtt_median_ms).key("p95").number(p.rtt_p95_ms).end_object();
    j.key("jitter_ms").begin_object().key("mean").number(p.jitter_mean_ms).end_object();
    j.key("packet_loss").begin_object().key("mean").number(p.packet_loss_mean);
    j.key("p95").number(p.packet_loss_p95).end_object();
    j.end_object();
    res.body = j.take();
  });

  server.route("GET", "/v1/analytics/media", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    sql::CallPeriodQuery q;
    read_period(req.query, q);
    q.room_id = room_param(store, req.query);
    q.page = req.query.integer("page", 1, 1, kMaxPage);
    q.per_page = req.query.integer("per_page", 50, 1, kMaxPerPage);
    req.query.check_all_used();
    const sql::MediaReport m = store.media_usage(q);
    const bool content = req.principal && may_read_content(*req.principal);
    JsonOut j;
    j.begin_object();
    write_period(j, q);
    j.key("room").str(q.room_id).key("items").begin_array();
    for (const auto& u : m.items) {
      j.begin_object().key("session").str(u.session).key("room_id").str(u.room_id);
      j.key("userid").str(content ? std::optional<std::string>(u.userid) : std::nullopt);
      j.key("nick").str(u.nick).key("type").str(u.type).key("joined").time(u.joined).key("left").time(u.left);
      j.key("present_seconds").number(u.present_seconds).key("audio_paused_seconds").number(u.audio_paused_seconds);
      j.key("video_paused_seconds").number(u.video_paused_seconds);
      j.key("screen_share_seconds").number(u.screen_share_seconds).key("screen_shares").i64(u.screen_shares);
      j.end_object();
    }
    j.end_array().key("page").i64(q.page).key("per_page").i64(q.per_page).key("total").i64(m.total);
    j.key("totals").begin_object().key("sessions").i64(m.total).key("present_seconds").number(m.present_seconds);
    j.key("audio_paused_seconds").number(m.audio_paused_seconds);
    j.key("video_paused_seconds").number(m.video_paused_seconds);
    j.key("screen_share_seconds").number(m.screen_share_seconds).key("screen_shares").i64(m.screen_shares);
    j.key("sessions_audio_paused").i64(m.sessions_audio_paused);
    j.key("sessions_video_paused").i64(m.sessions_video_paused).key("sessions_sharing").i64(m.sessions_sharing);
    j.end_object().end_object();
    res.body = j.take();
  });

  server.route("GET", "/v1/analytics/rooms", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    sql::CallPeriodQuery q;
    read_period(req.query, q);
    q.page = req.query.integer("page", 1, 1, kMaxPage);
    q.per_page = req.query.integer("per_page", 50, 1, kMaxPerPage);
    req.query.check_all_used();
    const sql::Page<sql::RoomCallsRow> page = store.room_calls(q);
    JsonOut j;
    j.begin_object();
    write_period(j, q);
    j.key("items").begin_array();
    for (const auto& r : page.items) {
      j.begin_object().key("room_id").str(r.room_id).key("jid").str(r.jid).key("created").time(r.created);
      j.key("ended").time(r.ended).key("ended_reason").str(r.ended_reason);
      j.key("duration_seconds").number(r.duration_seconds).key("sessions").i64(r.sessions);
      j.key("participants").i64(r.participants).key("event_count").i64(r.event_count);
      j.key("p2p_sessions").i64(r.p2p_sessions).key("p2p_failed").i64(r.p2p_failed);
      j.key("p2p_interrupted").i64(r.p2p_interrupted).key("call_seconds").number(r.call_seconds).end_object();
    }
    j.end_array().key("page").i64(q.page).key("per_page").i64(q.per_page).key("total").i64(page.total);
    j.end_object();
    res.body = j.take();
  });
}

}  // namespace mucstream::analytics
