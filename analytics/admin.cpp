#include "analytics/admin.hpp"

#include <rapidjson/document.h>

#include <future>
#include <memory>
#include <set>

#include "analytics/json.hpp"
#include "analytics/json_in.hpp"
#include "analytics/server.hpp"
#include "core/jid.hpp"
#include "core/roles.hpp"

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

core::Jid bare_jid(const std::string& text, const char* name) {
  auto parsed = core::Jid::parse(text);
  const core::Jid* j = std::get_if<core::Jid>(&parsed);
  if (j == nullptr || !j->is_bare() || j->node().empty()) throw ParamError(name, "not a bare JID (user@host)");
  return *j;
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

class Admin {
 public:
  Admin(SubmitFn submit, AdminOptions options) : submit_(std::move(submit)), opt_(std::move(options)) {}

  // {room}: the room's id (UUID) or local part ("standup") or bare JID of our domain,
  // normalised (the one naming rule of room_names.hpp; live rooms only here, so an id is
  // looked up among the live rooms on the loop).
  std::string room(const HttpRequest& req) const {
    std::string text = req.path_params.at(0);
    if (const auto id = parse_uuid(text)) return live_room_by_id(*id);
    if (text.find('@') == std::string::npos) text += "@" + opt_.domain;
    auto parsed = core::Jid::parse(text);
    const core::Jid* j = std::get_if<core::Jid>(&parsed);
    if (j == nullptr || !j->is_bare() || j->node().empty())
      throw ParamError("room", "not a room name or bare room JID");
    if (j->domain() != opt_.domain) throw ParamError("room", "not a room of " + opt_.domain);
    return j->bare();
  }

  // The JID of the live room with this id (a destroyed room's id names nothing live).
  std::string live_room_by_id(const std::string& id) const {
    if (!opt_.inspect) throw HttpError(501, "not_implemented", "this process cannot look rooms up by id");
    auto promise = std::make_shared<std::promise<std::string>>();
    auto future = promise->get_future();
    opt_.inspect([promise, id](const core::Service& svc) {
      const core::Room* r = svc.find_by_id(id);
      promise->set_value(r != nullptr ? r->jid : std::string());
    });
    if (future.wait_for(opt_.timeout) != std::future_status::ready)
      throw HttpError(503, "unavailable", "the room service did not answer in time");
    std::string jid = future.get();
    if (jid.empty()) throw HttpError(404, "item-not-found", "No live room with id " + id);
    return jid;
  }

  static core::Requester by(const HttpRequest& req) {
    const std::string name = req.principal && !req.principal->subject.empty() ? req.principal->subject : "api";
    return core::Requester::admin(name);
  }

  // Runs the command on the room loop and renders its decision.
  void run(core::Command cmd, HttpResponse& res, int ok_status = 200) {
    auto promise = std::make_shared<std::promise<core::Decision>>();
    auto future = promise->get_future();
    submit_(std::move(cmd), [promise](const core::Decision& d) { promise->set_value(d); });
    if (future.wait_for(opt_.timeout) != std::future_status::ready)
      throw HttpError(503, "unavailable", "the room service did not answer in time; the command may still run");
    const core::Decision d = future.get();
    // resource-constraint of type wait: the event log cannot keep actions now (or the
    // service is full); the same command may succeed shortly, which Retry-After says.
    if (d.error && d.error->condition == core::ErrorCondition::resource_constraint &&
        d.error->type == core::ErrorType::wait)
      res.headers.emplace_back("Retry-After", "1");
    if (d.error) throw HttpError(status_of(d.error->condition), std::string(core::to_string(d.error->condition)),
                                 d.error->text.empty() ? std::string(core::to_string(d.error->condition)) : d.error->text);
    JsonOut j;
    j.begin_object().key("events").begin_array();
    for (const auto& e : d.events) {
      j.begin_object().key("id").str(e.id).key("type").str(std::string(core::to_string(e.type)));
      j.key("room").str(e.room).key("room_id").str(e.room_id).key("seq").i64(static_cast<std::int64_t>(e.seq));
      j.key("time").time(e.time_ms * 1000).end_object();
    }
    j.end_array().key("notified").i64(static_cast<std::int64_t>(d.deliveries.size())).end_object();
    res.status = ok_status;
    res.body = j.take();
  }

  // Copies the room's occupants out on the loop (in order with commands, so a list asked
  // for right after a kick no longer shows the kicked nick) and renders them here.
  void occupants(const std::string& room, HttpResponse& res) {
    if (!opt_.inspect) throw HttpError(501, "not_implemented", "this process cannot read the live rooms");
    auto promise = std::make_shared<std::promise<RoomSnapshot>>();
    auto future = promise->get_future();
    opt_.inspect([promise, room](const core::Service& svc) {
      RoomSnapshot s;
      if (const core::Room* r = svc.find(room)) {
        s.found = true;
        s.jid = r->jid;
        s.room_id = r->room_id;
        s.locked = r->locked;
        for (const auto& [nick, o] : r->occupants) s.occupants.push_back({o, r->affiliation_of(o.bare_jid)});
      }
      promise->set_value(std::move(s));
    });
    if (future.wait_for(opt_.timeout) != std::future_status::ready)
      throw HttpError(503, "unavailable", "the room service did not answer in time");
    const RoomSnapshot s = future.get();
    if (!s.found) throw HttpError(404, "item-not-found", "No such room: " + room);
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

  static int status_of(core::ErrorCondition c) {
    using C = core::ErrorCondition;
    switch (c) {
      case C::item_not_found:
      case C::recipient_unavailable: return 404;
      case C::bad_request:
      case C::jid_malformed:
      case C::not_acceptable:
      case C::policy_violation: return 400;
      case C::conflict:
      case C::forbidden:
      case C::not_allowed:
      case C::not_authorized:
      case C::gone:
      case C::registration_required: return 409;
      case C::resource_constraint:
      case C::service_unavailable: return 503;
      case C::feature_not_implemented: return 501;
      case C::internal_server_error: return 500;
    }
    return 500;
  }

 private:
  SubmitFn submit_;
  AdminOptions opt_;
};


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
    c.room = admin->room(named);
    c.owner = bare_jid(b.required_text("owner", 3071), "owner");
    if (const auto* cfg = b.object("config")) c.change = config_change(*cfg);
    b.check_all_used();
    admin->run(std::move(c), res, 201);
  });
  server.route("GET", "/v1/admin/rooms/{room}/occupants", Access::admin, [admin](HttpRequest& req, HttpResponse& res) {
    const std::string room = admin->room(req);
    req.query.check_all_used();
    admin->occupants(room, res);
  });
  server.route("POST", "/v1/admin/rooms/{room}/configure", Access::admin, [admin](HttpRequest& req, HttpResponse& res) {
    const std::string room = admin->room(req);
    Body b(req.body);
    core::ConfigChange change = config_change(b.object());
    admin->run(core::Configure{Admin::by(req), room, std::move(change)}, res);
  });
  server.route("POST", "/v1/admin/rooms/{room}/lock", Access::admin, [admin](HttpRequest& req, HttpResponse& res) {
    const std::string room = admin->room(req);
    Body(req.body).check_all_used();
    admin->run(core::SetLock{Admin::by(req), room, true}, res);
  });
  server.route("POST", "/v1/admin/rooms/{room}/unlock", Access::admin, [admin](HttpRequest& req, HttpResponse& res) {
    const std::string room = admin->room(req);
    Body(req.body).check_all_used();
    admin->run(core::SetLock{Admin::by(req), room, false}, res);
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
    admin->run(std::move(a), res);
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
                 admin->run(std::move(a), res);
               });
}

}  // namespace mucstream::analytics
