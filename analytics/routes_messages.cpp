// Messages for back-ends that do not speak XMPP: a room's archive (newest first, or after an
// id to poll for what is new) and a person's conversations. Both answer analysts, admins,
// services and user tokens; a user token only for rooms its user may read.
#include <algorithm>
#include <variant>

#include "analytics/json.hpp"
#include "analytics/message_body.hpp"
#include "analytics/room_names.hpp"
#include "analytics/server.hpp"
#include "core/jid.hpp"

namespace mucstream::analytics {
namespace {

constexpr std::int64_t kMaxMessages = 100;  // a page; the archive reader caps it the same way
constexpr std::int64_t kMaxPage = 1000000;

// Cursor kinds: 'o' continues towards older messages, 'n' towards newer ones.
constexpr char kOlder = 'o';
constexpr char kNewer = 'n';

UnixMicros micros(std::int64_t ms) { return ms * 1000; }

// One message as it is now: the current text when edited, a tombstone when retracted. The
// sender's real JID only for roles that see everyone (not a user token: XEP-0045 rooms show
// real JIDs only to those the room allows).
void write_message(JsonOut& j, const core::ArchivedMessage& m, bool show_jid) {
  const bool retracted = m.retracted_ms.has_value();
  j.begin_object().key("id").str(m.stanza_id).key("time").time(micros(m.time_ms));
  j.key("nick").str(m.nick).key("from_room").boolean(m.nick.empty()).key("occupant_id").str(m.occupant_id);
  if (show_jid) j.key("jid").str(m.jid.empty() ? std::nullopt : std::optional<std::string>(m.jid));
  if (!retracted && !m.payload.empty()) {
    j.key("body").str(body_text(m.payload));
    j.key("payload").str(m.payload);
  }
  j.key("edited").time(m.edited_ms ? std::optional<UnixMicros>(micros(*m.edited_ms)) : std::nullopt);
  j.key("edited_by_id").str(m.edited_by_id);
  j.key("retracted").time(m.retracted_ms ? std::optional<UnixMicros>(micros(*m.retracted_ms)) : std::nullopt);
  j.key("moderated").boolean(m.moderated).key("retracted_by").str(m.retracted_by);
  j.key("reason").str(retracted && !m.retract_reason.empty() ? std::optional<std::string>(m.retract_reason) : std::nullopt);
  j.end_object();
}

// Messages are content and a person's rooms name them: an analyst token reads them only with
// the content claim (personal_data.hpp); user tokens have their own rules below.
void refuse_numbers_only(const HttpRequest& req) {
  if (req.principal && req.principal->role == Role::analyst && !may_read_content(*req.principal))
    throw HttpError(403, "this analyst token does not read message content or people's rooms: it needs the content "
                         "claim (mucctl token create --role analyst --content)");
}

// {room}'s id, JID and local part all name it; a user token must be allowed to read it (a
// room it may not read is a 403 whether or not it exists, so names cannot be probed). For a
// user token a local part of several domains means the rooms it may read among them, so a
// 409 names only rooms it may read.
sql::RoomIdentity readable_room(sql::ReadStore& store, const HttpRequest& req) {
  refuse_numbers_only(req);
  const sql::RoomName name = parse_room_name(req.path_params.at(0), "room");
  std::vector<sql::RoomIdentity> rooms = store.find_rooms(name);
  const bool user = req.principal && req.principal->role == Role::user;
  if (user && rooms.size() > 1)
    std::erase_if(rooms,
                  [&](const sql::RoomIdentity& r) { return !store.user_may_read(req.principal->subject, r.id); });
  const auto room = one_room(name, rooms);
  if (!room) {
    if (user) throw HttpError(403, req.principal->subject + " may not read this room");
    throw HttpError(404, no_room_message(name));
  }
  check_user_may_read(store, req, room->id);
  return *room;
}

std::string message_id(Query& q, const char* name) {
  const auto id = q.uuid(name);
  return id.value_or("");
}

void messages_route(sql::ReadStore& store, HttpRequest& req, HttpResponse& res) {
  Query& q = req.query;
  const std::int64_t limit = q.integer("limit", 50, 1, kMaxMessages);
  const std::string after = message_id(q, "after");
  const std::string before = message_id(q, "before");
  const auto older_cursor = q.text("cursor", 256);
  q.check_all_used();
  const int positions = int(!after.empty()) + int(!before.empty()) + int(older_cursor.has_value());
  if (positions > 1)
    throw ParamError(!after.empty() && !before.empty() ? "before" : "cursor", "give one of after, before and cursor");
  const sql::RoomIdentity room = readable_room(store, req);

  core::ArchiveQuery aq;
  aq.room = room.jid;
  aq.room_id = room.id;
  aq.max = static_cast<std::uint32_t>(limit);
  aq.want_count = false;
  bool newer = false;  // paging towards newer messages (oldest first) rather than older ones
  if (!after.empty()) {
    aq.rsm_after = after;
    newer = true;
  } else if (!before.empty()) {
    aq.rsm_before = before;
  } else if (older_cursor) {
    const auto c = decode_cursor(*older_cursor);
    if (!c || (c->kind != kOlder && c->kind != kNewer)) throw ParamError("cursor", "not a cursor of this listing");
    newer = c->kind == kNewer;
    (newer ? aq.rsm_after : aq.rsm_before) = c->id;
  } else {
    aq.rsm_last_page = true;
  }

  core::ArchiveResult result = store.archive(aq, static_cast<std::uint32_t>(kMaxMessages));
  if (const auto* failure = std::get_if<core::ArchiveFailure>(&result)) {
    if (*failure == core::ArchiveFailure::item_not_found)
      throw HttpError(404, "no message " + (aq.rsm_after ? *aq.rsm_after : aq.rsm_before.value_or("")) +
                                            " in this room");
    throw HttpError(503, "the archive cannot be read now");
  }
  auto& page = std::get<core::ArchivePage>(result);
  // The archive gives oldest first; a listing towards older messages reads newest first.
  if (!newer) std::reverse(page.messages.begin(), page.messages.end());
  const bool show_jid = !(req.principal && req.principal->role == Role::user);
  JsonOut j;
  j.begin_object().key("room_id").str(room.id).key("room").str(room.jid).key("live").boolean(room.live);
  j.key("order").str(newer ? "oldest_first" : "newest_first").key("items").begin_array();
  for (const auto& m : page.messages) write_message(j, m, show_jid);
  j.end_array();
  if (page.messages.empty()) {
    j.key("next_cursor").null();
  } else {
    const auto& last = page.messages.back();
    j.key("next_cursor").str(encode_cursor({newer ? kNewer : kOlder, micros(last.time_ms), last.stanza_id}));
  }
  j.key("has_more").boolean(!page.complete).end_object();
  res.body = j.take();
}

void user_rooms_route(sql::ReadStore& store, HttpRequest& req, HttpResponse& res) {
  refuse_numbers_only(req);
  Query& q = req.query;
  sql::UserRoomsQuery uq;
  uq.page = q.integer("page", 1, 1, kMaxPage);
  uq.per_page = q.integer("per_page", 50, 1, kMaxMessages);
  q.check_all_used();
  auto parsed = core::Jid::parse(req.path_params.at(0));
  const core::Jid* jid = std::get_if<core::Jid>(&parsed);
  if (jid == nullptr || !jid->is_bare() || jid->node().empty()) throw ParamError("jid", "not a bare JID (user@host)");
  uq.userid = jid->bare();
  if (req.principal && req.principal->role == Role::user) {
    auto own = core::Jid::parse(req.principal->subject);
    const core::Jid* me = std::get_if<core::Jid>(&own);
    if (me == nullptr || me->bare() != uq.userid)
      throw HttpError(403, "a user token reads only its own conversations");
  }
  const sql::Page<sql::UserRoomRow> page = store.user_rooms(uq);
  JsonOut j;
  j.begin_object().key("jid").str(uq.userid).key("items").begin_array();
  for (const auto& r : page.items) {
    j.begin_object().key("room_id").str(r.room_id).key("room").str(r.jid).key("name").str(r.name);
    j.key("created").time(r.created).key("ended").time(r.ended).key("live").boolean(!r.ended.has_value());
    j.key("last_joined").time(r.last_joined).key("sessions").i64(r.sessions).key("latest_message");
    if (r.latest) write_message(j, *r.latest, false);
    else j.null();
    j.key("last_activity").time(r.latest ? micros(r.latest->time_ms) : r.last_joined);
    j.end_object();
  }
  j.end_array().key("page").i64(uq.page).key("per_page").i64(uq.per_page).key("total").i64(page.total);
  j.end_object();
  res.body = j.take();
}

}  // namespace

void add_message_routes(HttpServer& server, sql::ReadStore& store) {
  server.route("GET", "/v1/rooms/{room}/messages", Access::reader,
               [&store](HttpRequest& req, HttpResponse& res) { messages_route(store, req, res); });
  server.route("GET", "/v1/users/{jid}/rooms", Access::reader,
               [&store](HttpRequest& req, HttpResponse& res) { user_rooms_route(store, req, res); });
}

}  // namespace mucstream::analytics
