#include "analytics/telemetry.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "analytics/json_in.hpp"
#include "analytics/json.hpp"
#include "analytics/metrics.hpp"
#include "analytics/refusals.hpp"
#include "analytics/server.hpp"
#include "core/error.hpp"
#include "core/telemetry.hpp"
#include "events/rapidjson_value.hpp"

namespace mucstream::analytics {
namespace {

constexpr std::size_t kMaxIdLength = 256;

// At most 64 bytes of a client's text in an error message.
std::string quoted(std::string_view s) {
  return "'" + std::string(s.substr(0, 64)) + (s.size() > 64 ? "…'" : "'");
}

int depth(const rapidjson::Value& j) {
  int deepest = 0;
  if (j.IsArray())
    for (const auto& x : j.GetArray()) deepest = std::max(deepest, depth(x));
  else if (j.IsObject())
    for (const auto& m : j.GetObject()) deepest = std::max(deepest, depth(m.value));
  else
    return 0;
  return deepest + 1;
}

std::size_t compact_size(const rapidjson::Value& j) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  j.Accept(w);
  return sb.GetSize();
}

// One event of the body, checked against the caller's token: a ClientReport ready for the
// loop, or a ParamError (400) / HttpError (403) naming the field, e.g. batch[3].eventType.
core::ClientReport parse_event(const rapidjson::Value& j, const std::string& prefix, const TokenClaims& who) {
  const std::string where = prefix.empty() ? "body" : prefix.substr(0, prefix.size() - 1);
  if (!j.IsObject()) throw ParamError(where, "must be a JSON object {eventType, roomId, peerId, data}");
  const rapidjson::Value* type = nullptr;
  const rapidjson::Value* room = nullptr;
  const rapidjson::Value* peer_id = nullptr;
  const rapidjson::Value* data = nullptr;
  for (const auto& m : j.GetObject()) {
    const std::string_view k(m.name.GetString(), m.name.GetStringLength());
    const rapidjson::Value* v = m.value.IsNull() ? nullptr : &m.value;
    if (k == "eventType") type = v;
    else if (k == "roomId") room = v;
    else if (k == "peerId") peer_id = v;
    else if (k == "data") data = v;
    else throw ParamError(prefix + std::string(k.substr(0, 64)), "unknown field");
  }
  auto text = [&](const rapidjson::Value* v, const char* name) -> std::optional<std::string> {
    if (v == nullptr) return std::nullopt;
    if (!v->IsString()) throw ParamError(prefix + name, "must be a string");
    std::string s(v->GetString(), v->GetStringLength());
    if (s.empty()) throw ParamError(prefix + name, "must not be empty");
    if (s.size() > kMaxIdLength) throw ParamError(prefix + name, "longer than " + std::to_string(kMaxIdLength) + " bytes");
    return s;
  };

  core::ClientReport c;
  const auto type_name = text(type, "eventType");
  if (!type_name) throw ParamError(prefix + "eventType", "is required");
  const auto parsed = core::event_type_from_string(*type_name);
  if (!parsed) throw ParamError(prefix + "eventType", "unknown event type " + quoted(*type_name));
  if (!core::client_reportable(*parsed))
    throw ParamError(prefix + "eventType",
                     std::string(core::to_string(*parsed)) + " is recorded by the room service itself; clients may not report it");
  c.type = *parsed;

  // The reporting session is the token's: peerId may repeat it, never name another.
  if (const auto p = text(peer_id, "peerId"); p && *p != who.session)
    throw HttpError(403, prefix + "peerId " + quoted(*p) + " is not the session this token speaks for");
  c.session = who.session;

  const auto room_id = text(room, "roomId");
  if (!who.room_id.empty() && room_id && *room_id != who.room_id)
    throw HttpError(403, prefix + "roomId " + quoted(*room_id) + " is not the room this token is for");
  if (!room_id && who.room_id.empty()) throw ParamError(prefix + "roomId", "is required");
  c.room_id = room_id.value_or(who.room_id);

  c.data = core::Value::object();
  if (data != nullptr) {
    if (!data->IsObject()) throw ParamError(prefix + "data", "must be a JSON object");
    if (depth(*data) > core::kClientDataMaxDepth)
      throw ParamError(prefix + "data", "nested deeper than " + std::to_string(core::kClientDataMaxDepth) + " levels");
    if (compact_size(*data) > core::kClientDataMaxBytes)
      throw ParamError(prefix + "data", "larger than " + std::to_string(core::kClientDataMaxBytes) + " bytes as JSON");
    events::JsonRefusal why;
    auto value = events::value_from_json(*data, prefix + "data", &why);
    if (!value) throw ParamError(why.path, why.what);  // what PostgreSQL's jsonb cannot store
    c.data = std::move(*value);
    // data.peer names the other session of a two-party event; it becomes the event's peer.
    auto& members = c.data.as_object();
    for (auto it = members.begin(); it != members.end(); ++it) {
      if (it->first != "peer") continue;
      if (it->second.is_null()) {
        members.erase(it);
        break;
      }
      if (!it->second.is_string() || it->second.as_string().empty() || it->second.as_string().size() > kMaxIdLength)
        throw ParamError(prefix + "data.peer", "must be the peer's session id");
      c.peer = it->second.as_string();
      members.erase(it);
      break;
    }
  }
  return c;
}

// The decisions of submitted reports, filled in on the loop thread as they come.
struct Pending {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::optional<core::Decision>> decisions;
  std::size_t remaining = 0;
};

class Telemetry {
 public:
  Telemetry(SubmitFn submit, TelemetryOptions options) : submit_(std::move(submit)), opt_(options) {
    if (opt_.registry == nullptr) return;
    const char* help = "Client telemetry events by result (invalid: in a request refused before the room loop)";
    for (const char* r : {"accepted", "unchanged", "rejected", "invalid"})
      counters_.push_back(&opt_.registry->counter("mucstream_telemetry_events_total", help, {{"result", r}}));
  }

  void handle(HttpRequest& req, HttpResponse& res) const {
    if (!submit_)
      throw HttpError(503,
                      "telemetry is served by the process that owns the rooms (mucstreamd all), "
                      "not by mucstreamd api alone");
    if (req.body.size() > opt_.max_body_bytes)
      throw HttpError(413, "the body is larger than " + std::to_string(opt_.max_body_bytes) + " bytes");
    // Check everything first: one bad event refuses the whole request, nothing is submitted.
    std::vector<core::ClientReport> reports;
    std::size_t claimed = 1;  // events the body holds, as far as it could be read
    bool is_batch = false;
    try {
      is_batch = parse_body(req.body, *req.principal, reports, claimed);
    } catch (...) {
      count(3, claimed);
      throw;
    }

    const auto pending = submit_all(std::move(reports), foreign_rooms(req.principal->tenant, reports));
    std::unique_lock l(pending->mu);
    if (!pending->cv.wait_for(l, opt_.timeout, [&] { return pending->remaining == 0; }))
      throw HttpError(503, "the room service did not answer in time; some events may be recorded");
    for (const auto& d : pending->decisions) count(d->error ? 2 : d->events.empty() ? 1 : 0, 1);
    if (!is_batch && pending->decisions[0]->error) throw refusal(*pending->decisions[0]->error);
    res.status = 202;
    res.body = render(pending->decisions);
  }

 private:
  void count(std::size_t which, std::size_t n) const {
    if (!counters_.empty()) counters_[which]->inc(n);
  }

  // Parses and checks the body into reports; true for a {"batch": [...]} body, false for one
  // event (also talky's {"batch": [], "eventType": …} form).
  bool parse_body(const std::string& body, const TokenClaims& who, std::vector<core::ClientReport>& reports,
                  std::size_t& claimed) const {
    check_body_nesting(body);
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(body.c_str(), body.size());
    if (doc.HasParseError())
      throw ParamError("body", std::string("not valid JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()) +
                                   " at byte " + std::to_string(doc.GetErrorOffset()));
    if (!doc.IsObject()) throw ParamError("body", "must be a JSON object: one event, or {\"batch\": [events]}");
    const auto batch = doc.FindMember("batch");
    if (batch != doc.MemberEnd()) {
      if (!batch->value.IsArray()) throw ParamError("batch", "must be an array of events");
      const auto& items = batch->value.GetArray();
      // Talky's client always sent `batch`, empty when the body's own fields are the one event.
      if (items.Empty() && doc.MemberCount() > 1) {
        doc.RemoveMember("batch");
        reports.push_back(parse_event(doc, "", who));
        return false;
      }
      for (const auto& m : doc.GetObject())
        if (std::string_view(m.name.GetString(), m.name.GetStringLength()) != "batch")
          throw ParamError(std::string(m.name.GetString(), m.name.GetStringLength()).substr(0, 64),
                           "unknown field next to a non-empty batch: send one event or a batch, not both");
      claimed = items.Size();
      if (items.Empty()) throw ParamError("batch", "is empty and the body has no event of its own");
      if (items.Size() > opt_.max_batch)
        throw HttpError(413,
                        "batch has " + std::to_string(items.Size()) + " events; at most " +
                            std::to_string(opt_.max_batch) + " per request");
      reports.reserve(items.Size());
      for (rapidjson::SizeType i = 0; i < items.Size(); ++i)
        reports.push_back(parse_event(items[i], "batch[" + std::to_string(i) + "].", who));
      return true;
    }
    reports.push_back(parse_event(doc, "", who));
    return false;
  }

  // The room ids of `reports` that are not live rooms of `tenant` (none when it is empty),
  // read on the loop in one pass.
  std::set<std::string> foreign_rooms(const std::string& tenant, const std::vector<core::ClientReport>& reports) const {
    if (tenant.empty()) return {};
    if (!opt_.inspect) throw HttpError(503, "this process cannot check a tenant token's rooms");
    std::set<std::string> ids;
    for (const auto& r : reports) ids.insert(r.room_id);
    auto promise = std::make_shared<std::promise<std::set<std::string>>>();
    auto future = promise->get_future();
    opt_.inspect(tenant, [promise, ids, tenant](const core::Service& svc) {
      std::set<std::string> foreign;
      for (const auto& id : ids) {
        const core::Room* room = svc.find_by_id(id);
        const auto at = room != nullptr ? room->jid.find('@') : std::string::npos;
        if (at == std::string::npos || room->jid.compare(at + 1, std::string::npos, tenant) != 0) foreign.insert(id);
      }
      promise->set_value(std::move(foreign));
    });
    if (future.wait_for(opt_.timeout) != std::future_status::ready)
      throw HttpError(503, "the room service did not answer in time; nothing was recorded");
    return future.get();
  }

  // Submits each report to the loop; a report for a room in `foreign` is answered here as
  // the room service answers an id it has no live room for, and never reaches the loop.
  std::shared_ptr<Pending> submit_all(std::vector<core::ClientReport> reports,
                                      const std::set<std::string>& foreign) const {
    auto pending = std::make_shared<Pending>();
    pending->decisions.resize(reports.size());
    pending->remaining = reports.size();
    for (std::size_t i = 0; i < reports.size(); ++i) {
      if (foreign.count(reports[i].room_id) != 0) {
        const std::string unknown = "no live room has id " + reports[i].room_id;
        std::lock_guard l(pending->mu);
        pending->decisions[i] = core::Decision::fail(core::make_error(core::ErrorCondition::item_not_found, unknown));
        --pending->remaining;
        continue;
      }
      submit_(std::move(reports[i]), [pending, i](const core::Decision& d) {
        std::lock_guard l(pending->mu);
        pending->decisions[i] = d;
        if (--pending->remaining == 0) pending->cv.notify_all();
      });
    }
    return pending;
  }

  // {"accepted","unchanged","rejected","results":[{"index","status",…}]}, in request order.
  static std::string render(const std::vector<std::optional<core::Decision>>& decisions) {
    std::int64_t accepted = 0, unchanged = 0, rejected = 0;
    JsonOut items;
    items.begin_array();
    for (std::size_t i = 0; i < decisions.size(); ++i) {
      const core::Decision& d = *decisions[i];
      items.begin_object().key("index").i64(static_cast<std::int64_t>(i));
      if (d.error) {
        ++rejected;
        items.key("status").str("rejected").key("error");
        const HttpError e = refusal(*d.error);  // the shape of every error answer
        write_error(items, e.status(), e.what(), {}, e.condition());
      } else if (d.events.empty()) {
        ++unchanged;  // a media state the session already had: nothing new to record
        items.key("status").str("unchanged");
      } else {
        ++accepted;
        const core::Event& e = d.events.front();
        items.key("status").str("accepted").key("id").str(e.id).key("type").str(std::string(core::to_string(e.type)));
        items.key("room").str(e.room).key("seq").i64(static_cast<std::int64_t>(e.seq)).key("time").time(e.time_ms * 1000);
      }
      items.end_object();
    }
    items.end_array();
    JsonOut j;
    j.begin_object().key("accepted").i64(accepted).key("unchanged").i64(unchanged).key("rejected").i64(rejected);
    j.key("results").raw(items.take());
    j.end_object();
    return j.take();
  }

  SubmitFn submit_;
  TelemetryOptions opt_;
  std::vector<metrics::Counter*> counters_;  // accepted, unchanged, rejected, invalid
};

}  // namespace

void add_telemetry_routes(HttpServer& server, SubmitFn submit, TelemetryOptions options) {
  auto t = std::make_shared<Telemetry>(std::move(submit), options);
  auto handler = [t](HttpRequest& req, HttpResponse& res) { t->handle(req, res); };
  server.route("POST", "/v1/telemetry", Access::client, handler);
  server.route("POST", "/telemetry", Access::client, handler);  // talky's path
}

}  // namespace mucstream::analytics
