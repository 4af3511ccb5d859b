#include "analytics/admin.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <future>
#include <memory>
#include <set>

#include "analytics/json.hpp"
#include "analytics/json_in.hpp"
#include "analytics/refusals.hpp"
#include "analytics/server.hpp"
#include "core/error.hpp"
#include "core/jid.hpp"
#include "core/roles.hpp"
#include "core/room_sweep.hpp"

namespace mucstream::analytics {
namespace {

// A JSON object of a request body (the body itself or an object nested in it); its members
// are read by name and every member must be read (an unknown field is a 400 naming it, like
// an unknown query parameter).
class Body {
 public:
  explicit Body(const std::string& text) : obj_(&doc_) {
    if (text.empty()) {
      doc_.SetObject();
      return;
    }
    check_body_nesting(text);
    doc_.Parse<rapidjson::kParseIterativeFlag>(text.c_str(), text.size());
    if (doc_.HasParseError() || !doc_.IsObject()) throw ParamError("body", "not a JSON object");
  }
  // An object inside a parsed body, read in place; `object` must outlive this Body.
  explicit Body(const rapidjson::Value& object) : obj_(&object) {}
  Body(const Body&) = delete;
  Body& operator=(const Body&) = delete;
  std::optional<std::string> text(const char* name, std::size_t max_len = 1024) {
    const rapidjson::Value* v = member(name);
    if (v == nullptr) return std::nullopt;
    if (!v->IsString()) throw ParamError(name, "must be a string");
    std::string s(v->GetString(), v->GetStringLength());
    if (s.size() > max_len) throw ParamError(name, "longer than " + std::to_string(max_len) + " bytes");
    return s;
  }
  std::string required_text(const char* name, std::size_t max_len = 1024) {
    auto s = text(name, max_len);
    if (!s || s->empty()) throw ParamError(name, "is required");
    return *s;
  }
  std::optional<bool> boolean(const char* name) {
    const rapidjson::Value* v = member(name);
    if (v == nullptr) return std::nullopt;
    if (!v->IsBool()) throw ParamError(name, "must be true or false");
    return v->GetBool();
  }
  std::optional<std::uint32_t> count(const char* name) {
    const rapidjson::Value* v = member(name);
    if (v == nullptr) return std::nullopt;
    if (!v->IsUint()) throw ParamError(name, "must be a non-negative integer");
    return v->GetUint();
  }
  // A nested object read with the same rules, e.g. "config".
  const rapidjson::Value* object(const char* name) {
    const rapidjson::Value* v = member(name);
    if (v != nullptr && !v->IsObject()) throw ParamError(name, "must be a JSON object");
    return v;
  }
  void check_all_used() const {
    for (const auto& m : obj_->GetObject()) {
      const std::string k(m.name.GetString(), m.name.GetStringLength());
      if (used_.count(k) == 0) throw ParamError(k.substr(0, 64), "unknown field");
    }
  }
  const rapidjson::Value& object() const { return *obj_; }

 private:
  const rapidjson::Value* member(const char* name) {
    used_.insert(name);
    auto it = obj_->FindMember(name);
    return it == obj_->MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
  }
  rapidjson::Document doc_;    // the parsed body, when this Body parsed one
  const rapidjson::Value* obj_;  // the object read: &doc_ or one nested in another Body
  std::set<std::string> used_;
};

// A configuration change from {"name": …, "persistent": true, …} (docs/api.yaml RoomConfig).
core::ConfigChange config_change(const rapidjson::Value& obj) {
  Body b(obj);
  core::ConfigChange c;
  c.name = b.text("name", 256);
  c.description = b.text("description", 1024);
  c.persistent = b.boolean("persistent");
  c.is_public = b.boolean("public");
  c.members_only = b.boolean("members_only");
  c.moderated = b.boolean("moderated");
  c.password_protected = b.boolean("password_protected");
  c.password = b.text("password", 256);
  c.max_occupants = b.count("max_occupants");
  c.history_length = b.count("history_length");
  if (auto w2 = b.text("whois", 16)) {
    if (*w2 == "moderators") c.whois = core::Whois::moderators;
    else if (*w2 == "anyone") c.whois = core::Whois::anyone;
    else throw ParamError("whois", "must be moderators or anyone");
  }
  c.occupants_may_change_subject = b.boolean("occupants_may_change_subject");
  c.occupants_may_invite = b.boolean("occupants_may_invite");
  c.allow_private_messages = b.boolean("allow_private_messages");
  c.locked = b.boolean("locked");
  c.enable_archiving = b.boolean("enable_archiving");
  c.invite_grants_membership = b.boolean("invite_grants_membership");
  c.record_chat_states = b.boolean("record_chat_states");
  b.check_all_used();
  return c;
}

// "name=\"Standup\", members_only=true": the fields a configuration request set, for the
// message that says they are already so (the password is never echoed).
std::string describe_change(const rapidjson::Value& obj) {
  std::string out;
  for (const auto& m : obj.GetObject()) {
    const std::string key(m.name.GetString(), m.name.GetStringLength());
    if (m.value.IsNull()) continue;
    out += (out.empty() ? "" : ", ") + key + "=";
    if (key == "password") out += "(hidden)";
    else if (m.value.IsString()) out += "\"" + std::string(m.value.GetString(), m.value.GetStringLength()) + "\"";
    else if (m.value.IsBool()) out += m.value.GetBool() ? "true" : "false";
    else if (m.value.IsUint64()) out += std::to_string(m.value.GetUint64());
    else out += "…";
  }
  return out;
}

core::Jid bare_jid(const std::string& text, const char* name) {
  auto parsed = core::Jid::parse(text);
  const core::Jid* j = std::get_if<core::Jid>(&parsed);
  if (j == nullptr || !j->is_bare() || j->node().empty()) throw ParamError(name, "not a bare JID (user@host)");
  return *j;
}

// The domain part of a bare room JID ("" when it has none).
std::string_view domain_of(std::string_view jid) {
  const auto at = jid.find('@');
  return at == std::string_view::npos ? std::string_view() : jid.substr(at + 1);
}

// What the occupant list shows, copied out of the room on the loop thread.
struct OccupantRow {
  core::Occupant occupant;
  core::Affiliation affiliation = core::Affiliation::none;
};
struct RoomSnapshot {
  bool found = false;
  std::string jid, room_id;
  bool locked = false;
  std::vector<OccupantRow> occupants;
};

// A room a sweep selects, copied out on the loop for the answer.
struct SweptRoom {
  std::string jid, room_id, name;
  std::int64_t created_ms = 0, last_activity_ms = 0;
  bool persistent = false;
};

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void write_events(JsonOut& j, const core::Decision& d) {
  j.key("events").begin_array();
  for (const auto& e : d.events) {
    j.begin_object().key("id").str(e.id).key("type").str(std::string(core::to_string(e.type)));
    j.key("room").str(e.room).key("room_id").str(e.room_id).key("seq").i64(static_cast<std::int64_t>(e.seq));
    j.key("time").time(e.time_ms * 1000).end_object();
  }
  j.end_array().key("notified").i64(static_cast<std::int64_t>(d.deliveries.size()));
}

class Admin {
 public:
  Admin(SubmitFn submit, AdminOptions options) : submit_(std::move(submit)), opt_(std::move(options)) {}

  // {room}: the room's id (UUID) or local part ("standup") or bare JID of one of our domains,
  // normalised (the one naming rule of room_names.hpp; live rooms only here, so an id is
  // looked up among the live rooms on the loops). A local part is of the default domain, or
  // of ?domain= when given (which must then be ours, and the domain of a JID or id given).
  // A tenant token (TokenClaims::tenant) names rooms of its tenant only: a local part is
  // taken in the tenant's domain, and another tenant's room answers exactly as a room that
  // does not exist (its id: 404 no live room; its JID: the room service's item-not-found
  // for a command, the occupant list's own 404 for that list, `listing`).
  std::string room(HttpRequest& req, bool listing = false) const {
    const std::string& tenant = tenant_of(req);
    std::string text = req.path_params.at(0);
    const std::optional<std::string> asked = req.query.text("domain", 1023);
    if (asked && !ours(*asked)) throw ParamError("domain", "not a MUC domain of this service (" + domain_list() + ")");
    const std::optional<std::string> only = tenant.empty() ? asked : std::optional<std::string>(tenant);
    if (const auto id = parse_uuid(text)) {
      if (!tenant.empty() && asked && *asked != tenant) throw HttpError(404, "No live room with id " + *id);
      return live_room_by_id(*id, only);
    }
    if (text.find('@') == std::string::npos) text += "@" + only.value_or(opt_.domain);
    auto parsed = core::Jid::parse(text);
    const core::Jid* j = std::get_if<core::Jid>(&parsed);
    if (j == nullptr || !j->is_bare() || j->node().empty())
      throw ParamError("room", "not a room name or bare room JID");
    if (!tenant.empty() && (j->domain() != tenant || (asked && *asked != tenant))) {
      if (listing) throw HttpError(404, no_such_room(j->bare()));
      throw refusal(core::make_error(core::ErrorCondition::item_not_found, "No such room"));
    }
    if (!ours(j->domain())) throw ParamError("room", "not a room of " + domain_list());
    if (asked && j->domain() != *asked) throw ParamError("domain", j->bare() + " is not a room of " + *asked);
    return j->bare();
  }

  static std::string no_such_room(const std::string& jid) { return "No such room: " + jid; }

  static const std::string& tenant_of(const HttpRequest& req) {
    static const std::string none;
    return req.principal ? req.principal->tenant : none;
  }

  // The JID of the live room with this id (a destroyed room's id names nothing live), among
  // the rooms of `only` (a tenant's domain, or ?domain=) or of every domain.
  std::string live_room_by_id(const std::string& id, const std::optional<std::string>& only = std::nullopt) const {
    for (const std::string& domain : domains()) {
      if (only && domain != *only) continue;
      std::string jid = read_rooms(domain, [id](const core::Service& svc) {
        const core::Room* r = svc.find_by_id(id);
        return r != nullptr ? r->jid : std::string();
      });
      // Each loop holds its own domain's rooms; checked anyway, so a room of another domain
      // (another tenant's) can never be named through this one's.
      if (!jid.empty() && domain_of(jid) == domain) return jid;
    }
    throw HttpError(404, "No live room with id " + id);
  }

  // Every MUC domain served, the default first.
  std::vector<std::string> domains() const {
    std::vector<std::string> all{opt_.domain};
    all.insert(all.end(), opt_.more_domains.begin(), opt_.more_domains.end());
    return all;
  }
  bool ours(const std::string& domain) const {
    const auto all = domains();
    return std::find(all.begin(), all.end(), domain) != all.end();
  }
  std::string domain_list() const {
    std::string out;
    for (const std::string& d : domains()) out += (out.empty() ? "" : ", ") + d;
    return out;
  }

  // Runs `read` on the loop of `domain`'s rooms (in order with commands) and returns what it
  // copied out.
  template <class Read>
  auto read_rooms(const std::string& domain, Read read) const -> decltype(read(std::declval<const core::Service&>())) {
    using T = decltype(read(std::declval<const core::Service&>()));
    if (!opt_.inspect && !opt_.inspect_in) throw HttpError(501, "this process cannot read the live rooms");
    auto promise = std::make_shared<std::promise<T>>();
    auto future = promise->get_future();
    auto deliver = [promise, read = std::move(read)](const core::Service& svc) { promise->set_value(read(svc)); };
    if (opt_.inspect_in) opt_.inspect_in(domain, std::move(deliver));
    else opt_.inspect(std::move(deliver));
    if (future.wait_for(opt_.timeout) != std::future_status::ready)
      throw HttpError(503, "the room service did not answer in time");
    return future.get();
  }

  static core::Requester by(const HttpRequest& req) {
    const std::string name = req.principal && !req.principal->subject.empty() ? req.principal->subject : "api";
    return core::Requester::admin(name);
  }

  // Runs the command on the room loop and waits for its decision; a refusal is thrown.
  core::Decision decide(core::Command cmd, HttpResponse& res) {
    auto promise = std::make_shared<std::promise<core::Decision>>();
    auto future = promise->get_future();
    submit_(std::move(cmd), [promise](const core::Decision& d) { promise->set_value(d); });
    if (future.wait_for(opt_.timeout) != std::future_status::ready)
      throw HttpError(503, "the room service did not answer in time; the command may still run");
    core::Decision d = future.get();
    // resource-constraint of type wait: the event log cannot keep actions now (or the
    // service is full); the same command may succeed shortly, which Retry-After says.
    if (d.error && d.error->condition == core::ErrorCondition::resource_constraint &&
        d.error->type == core::ErrorType::wait)
      res.headers.emplace_back("Retry-After", "1");
    if (d.error) throw refusal(*d.error);
    return d;
  }

  // Runs the command and renders its events. A command that changes a room decides at least
  // one event; when it decides none, the room already was as asked, which is a 409 whose
  // message (`unchanged`) names that state: an operator (or mucctl's exit status) must not
  // take "nothing happened" for success.
  void run(core::Command cmd, HttpResponse& res, int ok_status = 200, const std::string& unchanged = {}) {
    const core::Decision d = decide(std::move(cmd), res);
    if (d.events.empty() && !unchanged.empty()) throw HttpError(409, unchanged);
    JsonOut j;
    j.begin_object();
    write_events(j, d);
    j.end_object();
    res.status = ok_status;
    res.body = j.take();
  }

  // A sweep (destroy-empty / destroy-unused): the rooms it selects now, listed; then, unless
  // this is a dry run, destroyed by one command that selects again on the loop (a room
  // someone entered meanwhile is spared) and answered with the rooms it destroyed.
  void sweep(const HttpRequest& req, const core::RoomSweep& which, const std::string& reason, bool dry_run,
             HttpResponse& res) {
    std::vector<SweptRoom> listed;
    for (const std::string& domain : domains()) {
      std::vector<SweptRoom> some = read_rooms(domain, [which](const core::Service& svc) {
        std::vector<SweptRoom> out;
        for (const core::Room* r : core::select_rooms(svc, which))
          out.push_back({r->jid, r->room_id, r->config.name, r->created_ms, r->last_activity_ms, r->config.persistent});
        return out;
      });
      listed.insert(listed.end(), some.begin(), some.end());
    }
    std::optional<core::Decision> d;
    if (!dry_run) {
      d = decide(core::DestroyRooms{by(req), which, reason}, res);
      std::vector<SweptRoom> destroyed;
      for (const core::Event& e : d->events) {
        if (!std::holds_alternative<core::data::RoomDestroyed>(e.data)) continue;
        auto it = std::find_if(listed.begin(), listed.end(), [&](const SweptRoom& r) { return r.room_id == e.room_id; });
        destroyed.push_back(it != listed.end() ? *it : SweptRoom{e.room, e.room_id, {}, 0, 0, false});
      }
      listed = std::move(destroyed);
    }
    JsonOut j;
    j.begin_object().key("dry_run").boolean(dry_run).key("rooms").begin_array();
    for (const SweptRoom& r : listed) {
      j.begin_object().key("room").str(r.jid).key("room_id").str(r.room_id).key("name").str(r.name);
      j.key("persistent").boolean(r.persistent);
      j.key("created").time(r.created_ms != 0 ? std::optional<UnixMicros>(r.created_ms * 1000) : std::nullopt);
      j.key("last_activity")
          .time(r.last_activity_ms != 0 ? std::optional<UnixMicros>(r.last_activity_ms * 1000) : std::nullopt);
      j.end_object();
    }
    j.end_array().key("count").i64(static_cast<std::int64_t>(listed.size()));
    if (d) write_events(j, *d);
    j.end_object();
    res.status = 200;
    res.body = j.take();
  }

  std::int64_t now_ms() const { return opt_.clock_ms ? opt_.clock_ms() : wall_clock_ms(); }

  // Copies the room's occupants out on the loop (in order with commands, so a list asked
  // for right after a kick no longer shows the kicked nick) and renders them here.
  void occupants(const std::string& room, HttpResponse& res) {
    const RoomSnapshot s = read_rooms(std::string(domain_of(room)), [room](const core::Service& svc) {
      RoomSnapshot copy;
      if (const core::Room* r = svc.find(room)) {
        copy.found = true;
        copy.jid = r->jid;
        copy.room_id = r->room_id;
        copy.locked = r->locked;
        for (const auto& [nick, o] : r->occupants) copy.occupants.push_back({o, r->affiliation_of(o.bare_jid)});
      }
      return copy;
    });
    if (!s.found) throw HttpError(404, no_such_room(room));
    JsonOut j;
    j.begin_object().key("room").str(s.jid).key("room_id").str(s.room_id).key("locked").boolean(s.locked);
    j.key("occupants").begin_array();
    for (const auto& row : s.occupants) {
      const core::Occupant& o = row.occupant;
      j.begin_object().key("nick").str(o.nick).key("jid").str(o.bare_jid).key("occupant_id").str(o.occupant_id);
      j.key("role").str(std::string(core::to_string(o.role)));
      j.key("affiliation").str(std::string(core::to_string(row.affiliation)));
      j.key("sessions").begin_array();
      for (const auto& ses : o.sessions) {
        j.begin_object().key("sessionid").str(ses.id).key("full_jid").str(ses.full_jid);
        j.key("joined").time(ses.joined_ms * 1000).key("client").value(ses.client);
        j.key("media").begin_object().key("audio_paused").boolean(ses.media.audio_paused);
        j.key("video_paused").boolean(ses.media.video_paused).key("screen_sharing").boolean(ses.media.screen_sharing);
        j.key("rtt").boolean(ses.media.rtt).end_object();
        j.end_object();
      }
      j.end_array().end_object();
    }
    j.end_array().key("count").i64(static_cast<std::int64_t>(s.occupants.size())).end_object();
    res.status = 200;
    res.body = j.take();
  }

 private:
  SubmitFn submit_;
  AdminOptions opt_;
};


constexpr std::uint32_t kMaxSweepDays = 36500;  // a hundred years: beyond, no room qualifies anyway

// The message's children for a plain-text body: <body>text</body>, escaped.
std::string body_payload(const std::string& text) {
  std::string out = "<body>";
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      default: out += c;
    }
  }
  return out + "</body>";
}

// XML 1.0 refuses most control characters; a body carrying one would be a stream error.
bool xml_text(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
  return true;
}

}  // namespace

void add_admin_routes(HttpServer& server, SubmitFn submit, AdminOptions options) {
  auto admin = std::make_shared<Admin>(std::move(submit), std::move(options));

  // A message from the service into a live room (admin or service token): relayed to the
  // occupants from the room's JID and archived like any other.
  server.route("POST", "/v1/rooms/{room}/messages", Access::poster, [admin](HttpRequest& req, HttpResponse& res) {
    const std::string room = admin->room(req);
    Body b(req.body);
    const std::string body = b.required_text("body", 10000);
    b.check_all_used();
    if (!xml_text(body)) throw ParamError("body", "contains control characters XML cannot carry");
    admin->run(core::PostMessage{Admin::by(req), room, body_payload(body)}, res, 201);
  });

  server.route("POST", "/v1/admin/rooms", Access::admin, [admin](HttpRequest& req, HttpResponse& res) {
    Body b(req.body);
    core::CreateRoom c;
    c.by = Admin::by(req);
    HttpRequest named = req;
    named.path_params = {b.required_text("room", 1023)};
    // An id is given by the room service when it creates the room: a new room has a name.
    if (parse_uuid(named.path_params[0])) throw ParamError("room", "a new room is named by its local part or bare JID");
    // A tenant creates rooms of its own domain (a JID as the core normalises it).
    const std::string& tenant = Admin::tenant_of(req);
    if (!tenant.empty() && named.path_params[0].find('@') != std::string::npos) {
      const auto parsed = core::Jid::parse(named.path_params[0]);
      const core::Jid* j = std::get_if<core::Jid>(&parsed);
      if (j != nullptr && j->domain() != tenant)
        throw HttpError(403, "this token creates rooms of " + tenant + " only");
    }
    c.room = admin->room(named);
    c.owner = bare_jid(b.required_text("owner", 3071), "owner");
    if (const auto* cfg = b.object("config")) c.change = config_change(*cfg);
    b.check_all_used();
    admin->run(std::move(c), res, 201);
  });
  server.route("GET", "/v1/admin/rooms/{room}/occupants", Access::admin, [admin](HttpRequest& req, HttpResponse& res) {
    const std::string room = admin->room(req, true);
    req.query.check_all_used();
    admin->occupants(room, res);
  });
  server.route("POST", "/v1/admin/rooms/{room}/configure", Access::admin, [admin](HttpRequest& req, HttpResponse& res) {
    const std::string room = admin->room(req);
    Body b(req.body);
    core::ConfigChange change = config_change(b.object());
    admin->run(core::Configure{Admin::by(req), room, std::move(change)}, res, 200,
               b.object().MemberCount() == 0 ? room + " already has its configuration (the request sets no option)"
                                             : room + " already has " + describe_change(b.object()));
  });
  server.route("POST", "/v1/admin/rooms/{room}/lock", Access::admin, [admin](HttpRequest& req, HttpResponse& res) {
    const std::string room = admin->room(req);
    Body(req.body).check_all_used();
    admin->run(core::SetLock{Admin::by(req), room, true}, res, 200, room + " is already locked");
  });
  server.route("POST", "/v1/admin/rooms/{room}/unlock", Access::admin, [admin](HttpRequest& req, HttpResponse& res) {
    const std::string room = admin->room(req);
    Body(req.body).check_all_used();
    admin->run(core::SetLock{Admin::by(req), room, false}, res, 200, room + " is not locked");
  });
  server.route("POST", "/v1/admin/rooms/{room}/destroy", Access::admin, [admin](HttpRequest& req, HttpResponse& res) {
    const std::string room = admin->room(req);
    Body b(req.body);
    core::DestroyRoom d{Admin::by(req), room, b.text("reason").value_or(""), ""};
    if (auto alt = b.text("alternate", 3071)) d.alternate_venue = bare_jid(*alt, "alternate").bare();
    d.purge = b.boolean("purge").value_or(false);  // also remove the room's message bodies from the store
    b.check_all_used();
    admin->run(std::move(d), res);
  });
  server.route("POST", "/v1/admin/rooms/{room}/kick", Access::admin, [admin](HttpRequest& req, HttpResponse& res) {
    const std::string room = admin->room(req);
    Body b(req.body);
    core::SetRole r{Admin::by(req), room, b.required_text("nick", 1023), core::Role::none, b.text("reason").value_or("")};
    b.check_all_used();
    admin->run(std::move(r), res);
  });
  server.route("POST", "/v1/admin/rooms/{room}/ban", Access::admin, [admin](HttpRequest& req, HttpResponse& res) {
    const std::string room = admin->room(req);
    Body b(req.body);
    core::SetAffiliation a{Admin::by(req), room, bare_jid(b.required_text("jid", 3071), "jid"), core::Affiliation::outcast,
                           b.text("reason").value_or("")};
    b.check_all_used();
    const std::string unchanged = a.target.bare() + " is already banned from " + room;
    admin->run(std::move(a), res, 200, unchanged);
  });
  server.route("POST", "/v1/admin/rooms/{room}/affiliation", Access::admin,
               [admin](HttpRequest& req, HttpResponse& res) {
                 const std::string room = admin->room(req);
                 Body b(req.body);
                 const core::Jid target = bare_jid(b.required_text("jid", 3071), "jid");
                 const auto aff = core::affiliation_from_string(b.required_text("affiliation", 16));
                 if (!aff) throw ParamError("affiliation", "must be owner, admin, member, none or outcast");
                 core::SetAffiliation a{Admin::by(req), room, target, *aff, b.text("reason").value_or("")};
                 b.check_all_used();
                 const std::string unchanged =
                     target.bare() + (*aff == core::Affiliation::none
                                          ? " already has no affiliation with " + room
                                          : " is already " + std::string(core::to_string(*aff)) + " of " + room);
                 admin->run(std::move(a), res, 200, unchanged);
               });

  // Sweeps, as ejabberd's rooms_empty_destroy and rooms_unused_destroy (core/room_sweep.hpp).
  server.route("POST", "/v1/admin/rooms/destroy-empty", Access::admin, [admin](HttpRequest& req, HttpResponse& res) {
    Body b(req.body);
    const bool dry_run = b.boolean("dry_run").value_or(false);
    const std::string reason = b.text("reason").value_or("");
    b.check_all_used();
    admin->sweep(req, core::RoomSweep{core::RoomSweep::Kind::empty, 0, Admin::tenant_of(req)}, reason, dry_run, res);
  });
  server.route("POST", "/v1/admin/rooms/destroy-unused", Access::admin, [admin](HttpRequest& req, HttpResponse& res) {
    Body b(req.body);
    const auto days = b.count("days");
    if (!days) throw ParamError("days", "is required: rooms with no message and no join for this many days go");
    if (*days > kMaxSweepDays) throw ParamError("days", "must be at most " + std::to_string(kMaxSweepDays));
    const bool dry_run = b.boolean("dry_run").value_or(false);
    const std::string reason = b.text("reason").value_or("");
    b.check_all_used();
    const std::int64_t since = admin->now_ms() - static_cast<std::int64_t>(*days) * 86'400'000;
    admin->sweep(req, core::RoomSweep{core::RoomSweep::Kind::unused, since, Admin::tenant_of(req)}, reason, dry_run,
                 res);
  });
}

}  // namespace mucstream::analytics
