// The talky-style read resources: rooms, their users and events, sessions, the event log.
// Lists of rooms and users page with page/per_page and a total (a count over indexed
// columns); event lists use keyset cursors so walking millions of rows stays cheap.
#include <set>
#include <variant>

#include "analytics/auth.hpp"
#include "analytics/json.hpp"
#include "analytics/personal_data.hpp"
#include "analytics/room_names.hpp"
#include "analytics/server.hpp"
#include "core/jid.hpp"
#include "sql/read_store.hpp"

namespace mucstream::analytics {
namespace {

constexpr std::int64_t kMaxPage = 1000000;
constexpr std::int64_t kMaxPerPage = 1000;
constexpr std::int64_t kMaxLimit = 1000;

const std::set<std::string, std::less<>>& event_type_set() {
  static const std::set<std::string, std::less<>> s(known_event_types().begin(), known_event_types().end());
  return s;
}

// {id} of a room: its id, JID or local part (room_names.hpp); 404 when it names no room.
std::string path_room(sql::ReadStore& store, const HttpRequest& req) {
  return resolve_room(store, req.path_params.at(0), "id").id;
}

// A MUC domain as JIDs carry it (lower case, stringprep'd): a JID with a domain part only.
std::string muc_domain(const std::string& text, const char* param) {
  auto parsed = core::Jid::parse(text);
  const core::Jid* j = std::get_if<core::Jid>(&parsed);
  if (j == nullptr || !j->node().empty() || !j->is_bare() || !is_tenant_domain(text))
    throw ParamError(param, "not a MUC domain such as rooms.example.org");
  return std::string(j->domain());
}

std::string path_uuid(const HttpRequest& req, std::size_t index, const char* name) {
  const auto u = parse_uuid(req.path_params.at(index));
  if (!u) throw ParamError(name, "not a UUID");
  return *u;
}

// Whether the request's token reads bodies, people's JIDs and user agents (personal_data.hpp).
bool reads_content(const HttpRequest& req) { return req.principal && may_read_content(*req.principal); }

// A room as GET /v1/rooms/{id} and `GET /v1/rooms?report=full` show it; `report=summary` (the
// list's default) carries report_summary instead of the whole report. Without content access
// the creator is null and the reports name nobody (no userid).
void write_room(JsonOut& j, const sql::RoomRow& r, bool summary, bool content) {
  j.begin_object();
  j.key("id").str(r.id).key("name").str(r.name).key("jid").str(r.jid);
  j.key("created").time(r.created).key("ended").time(r.ended).key("ended_reason").str(r.ended_reason);
  j.key("active").boolean(!r.ended.has_value()).key("occupants").i64(r.occupants);
  j.key("creator").str(content ? r.creator : std::nullopt).key("persistent").boolean(r.persistent);
  j.key("locked").boolean(r.locked);
  j.key("event_count").i64(r.event_count).key("last_seq").i64(r.last_seq).key("last_event").time(r.last_event);
  j.key("config").raw(r.config_json);
  const std::optional<std::string>& reports = summary ? r.report_summary_json : r.reports_json;
  j.key(summary ? "report_summary" : "reports");
  if (content || !reports) j.raw(reports);
  else j.raw(without_keys_anywhere(*reports, {"userid"}));
  j.end_object();
}

// Without content access: no bare JID (userid), full JID or user agent.
void write_user(JsonOut& j, const sql::UserRow& u, bool content) {
  const std::optional<std::string> none;
  j.begin_object();
  j.key("sessionid").str(u.sessionid).key("userid").str(content ? std::optional<std::string>(u.userid) : none).key("room_id").str(u.room_id);
  j.key("nick").str(u.nick).key("jid").str(content ? u.jid : none).key("role").str(u.role);
  j.key("affiliation").str(u.affiliation);
  j.key("occupant_id").str(u.occupant_id).key("type").str(u.type).key("os").str(u.os);
  j.key("browser").str(u.browser).key("useragent").str(content ? u.useragent : none);
  j.key("created").time(u.created).key("ended").time(u.ended).key("ended_reason").str(u.ended_reason);
  j.key("active").boolean(!u.ended.has_value());
  j.end_object();
}

void write_event(JsonOut& j, const sql::EventRow& e, bool content) {
  j.begin_object();
  j.key("id").str(e.id).key("type").str(e.type).key("room").str(e.room).key("room_id").str(e.room_id);
  j.key("seq").i64(e.seq).key("actor").str(e.actor).key("peer").str(e.peer).key("time").time(e.time);
  j.key("data").raw(content ? e.data_json : event_data_without_personal(e.data_json));
  j.end_object();
}

// type, since, until, cursor, limit, order: the parameters every event listing takes.
sql::EventQuery event_query(Query& q) {
  sql::EventQuery eq;
  eq.types = q.list_of("type", event_type_set());
  eq.time.since = q.time("since");
  eq.time.until = q.time("until");
  check_range(eq.time.since, eq.time.until);
  if (const auto c = q.cursor("cursor", 'e')) eq.after = sql::EventPosition{c->time, c->id};
  eq.limit = q.integer("limit", 100, 1, kMaxLimit);
  eq.descending = q.one_of("order", {"asc", "desc"}).value_or("asc") == "desc";
  return eq;
}

// A page=/per_page= listing: {"items":[…],"page":P,"per_page":N,"total":T}.
template <class Row, class Write>
std::string numbered_page(const sql::Page<Row>& page, std::int64_t number, std::int64_t per_page, Write write) {
  JsonOut j;
  j.begin_object().key("items").begin_array();
  for (const auto& row : page.items) write(j, row);
  j.end_array().key("page").i64(number).key("per_page").i64(per_page).key("total").i64(page.total);
  j.end_object();
  return j.take();
}

std::string event_page(const sql::EventQuery& eq, std::vector<sql::EventRow> rows, bool content) {
  const bool more = static_cast<std::int64_t>(rows.size()) > eq.limit;
  if (more) rows.resize(static_cast<std::size_t>(eq.limit));
  JsonOut j;
  j.begin_object().key("items").begin_array();
  for (const auto& e : rows) write_event(j, e, content);
  j.end_array();
  if (rows.empty()) {
    j.key("next_cursor").null().key("prev_cursor").null();
  } else {
    j.key("next_cursor").str(encode_cursor({'e', rows.back().time, rows.back().id}));
    j.key("prev_cursor").str(encode_cursor({'e', rows.front().time, rows.front().id}));
  }
  j.key("has_more").boolean(more);
  j.end_object();
  return j.take();
}


}  // namespace

const std::vector<std::string>& known_event_types() {
  static const std::vector<std::string> types = {
      // talky room and occupant lifecycle (docs/events.md)
      "room_created", "room_destroyed", "room_locked", "room_unlocked", "occupant_joined", "occupant_left",
      "message_sent", "screencapture_started", "screencapture_ended", "rtt_enabled", "rtt_disabled",
      "p2p_session_started", "p2p_session_ended", "p2p_session_stats", "video_paused", "video_resumed",
      "audio_paused", "audio_resumed",
      // what replay needs
      "room_configured", "affiliation_changed", "role_changed", "subject_changed", "nick_changed",
      "private_message_sent", "message_corrected", "message_retracted",
      // talky's client telemetry vocabulary (POST /v1/telemetry stores these)
      "started_speaking", "stopped_speaking", "peer_stream_added", "peer_stream_removed", "peer_session_added",
      "peer_session_removed", "peer_session_connection_state", "peer_session_stats", "peer_session_ice_stats",
      "ice_usage"};
  return types;
}

void add_read_routes(HttpServer& server, sql::ReadStore& store) {
  server.route("GET", "/v1/rooms", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    Query& q = req.query;
    sql::RoomQuery rq;
    rq.active = q.boolean("active");
    rq.name = q.text("name", 1023);
    if (const auto d = q.text("domain", 1023)) rq.domain = muc_domain(*d, "domain");
    rq.created.since = q.time("since");
    rq.created.until = q.time("until");
    check_range(rq.created.since, rq.created.until);
    rq.page = q.integer("page", 1, 1, kMaxPage);
    rq.per_page = q.integer("per_page", 50, 1, kMaxPerPage);
    rq.full_reports = q.one_of("report", {"summary", "full"}).value_or("summary") == "full";
    q.check_all_used();
    res.body = numbered_page(store.rooms(rq), rq.page, rq.per_page,
                             [summary = !rq.full_reports, content = reads_content(req)](JsonOut& j, const sql::RoomRow& r) {
                               write_room(j, r, summary, content);
                             });
  });

  server.route("GET", "/v1/rooms/{id}", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    req.query.check_all_used();
    const std::string id = path_room(store, req);
    const auto room = store.room(id);
    if (!room) throw HttpError(404, "no room with id " + id);
    JsonOut j;
    write_room(j, *room, false, reads_content(req));
    res.body = j.take();
  });

  server.route("GET", "/v1/rooms/{id}/events", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    sql::EventQuery eq = event_query(req.query);
    req.query.check_all_used();
    eq.room_id = path_room(store, req);
    res.body = event_page(eq, store.events(eq), reads_content(req));
  });

  server.route("GET", "/v1/rooms/{id}/users", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    Query& q = req.query;
    sql::UserQuery uq;
    uq.active = q.boolean("active");
    uq.page = q.integer("page", 1, 1, kMaxPage);
    uq.per_page = q.integer("per_page", 50, 1, kMaxPerPage);
    q.check_all_used();
    uq.room_id = path_room(store, req);
    res.body = numbered_page(store.room_users(uq), uq.page, uq.per_page,
                             [content = reads_content(req)](JsonOut& j, const sql::UserRow& u) { write_user(j, u, content); });
  });

  server.route("GET", "/v1/users/{sessionid}", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    const std::string sid = path_uuid(req, 0, "sessionid");
    req.query.check_all_used();
    const auto user = store.user(sid);
    if (!user) throw HttpError(404, "no session with id " + sid);
    JsonOut j;
    write_user(j, *user, reads_content(req));
    res.body = j.take();
  });

  server.route("GET", "/v1/users/{sessionid}/events", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    const std::string sid = path_uuid(req, 0, "sessionid");
    sql::EventQuery eq = event_query(req.query);
    eq.actor = sid;
    req.query.check_all_used();
    if (!store.user(sid)) throw HttpError(404, "no session with id " + sid);
    res.body = event_page(eq, store.events(eq), reads_content(req));
  });

  server.route("GET", "/v1/analytics/summary", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    Query& q = req.query;
    sql::TimeRange period;
    period.since = q.time("since");
    period.until = q.time("until");
    q.check_all_used();
    constexpr UnixMicros kWeek = 7LL * 86400 * 1000000;
    if (!period.until) period.until = period.since ? *period.since + kWeek : default_until(unix_now());
    if (!period.since) period.since = *period.until - kWeek;
    check_range(period.since, period.until);
    const sql::Summary s = store.summary(period);
    JsonOut j;
    j.begin_object().key("since").time(*period.since).key("until").time(*period.until);
    j.key("rooms").begin_object().key("created").i64(s.rooms_created).key("ended").i64(s.rooms_ended);
    j.key("still_active").i64(s.rooms_still_active);
    j.key("duration_seconds").begin_object().key("mean").number(s.duration_mean_seconds);
    j.key("p95").number(s.duration_p95_seconds).end_object().end_object();
    j.key("peak_concurrent_occupants").i64(s.peak_concurrent_occupants).key("messages").i64(s.messages);
    j.key("sessions").begin_object().key("total").i64(s.sessions).key("distinct_users").i64(s.distinct_users);
    j.key("by_type").raw(s.sessions_by_type).key("by_os").raw(s.sessions_by_os);
    j.key("by_browser").raw(s.sessions_by_browser).end_object();
    j.end_object();
    res.body = j.take();
  });

  server.route("GET", "/v1/analytics/events-per-day", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    Query& q = req.query;
    sql::TimeRange period;
    period.since = q.time("since");
    period.until = q.time("until");
    const auto types = q.list_of("type", event_type_set());
    const auto room_text = q.text("room", 3071);
    q.check_all_used();
    const auto room = room_text ? std::optional<std::string>(resolve_room(store, *room_text, "room").id) : std::nullopt;
    constexpr UnixMicros kDay = 86400LL * 1000000;
    if (!period.until) period.until = period.since ? *period.since + 30 * kDay : default_until(unix_now());
    if (!period.since) period.since = *period.until - 30 * kDay;
    check_range(period.since, period.until);
    if (*period.until - *period.since > 366 * kDay) throw ParamError("until", "the period is longer than 366 days");
    JsonOut j;
    j.begin_object().key("since").time(*period.since).key("until").time(*period.until).key("items").begin_array();
    for (const auto& d : store.events_per_day(period, types, room))
      j.begin_object().key("day").str(d.day).key("type").str(d.type).key("count").i64(d.count).end_object();
    j.end_array().end_object();
    res.body = j.take();
  });

  server.route("GET", "/v1/events", Access::analyst, [&store](HttpRequest& req, HttpResponse& res) {
    Query& q = req.query;
    sql::EventQuery eq = event_query(q);
    // A room id filters one lifetime; a JID every lifetime of that JID (the log of a room
    // address); a local part is first resolved to its room's JID.
    const auto room = q.text("room", 3071);
    eq.actor = q.uuid("actor");
    q.check_all_used();
    if (room) {
      const sql::RoomName name = parse_room_name(*room, "room");
      if (name.kind == sql::RoomName::Kind::id) eq.room_id = name.text;
      else if (name.kind == sql::RoomName::Kind::jid) eq.room_jid = name.text;
      else eq.room_jid = resolve_room(store, *room, "room").jid;
    }
    res.body = event_page(eq, store.events(eq), reads_content(req));
  });
}

}  // namespace mucstream::analytics
