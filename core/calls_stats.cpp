// P2P stats: a party of a live P2P session reports WebRTC figures for it; they
// become p2p_session_stats after validation. The numbers feed analysts' quality reports
// (median/p95 round-trip time, packet loss, share of relayed sessions), so nonsense is
// refused with the field named rather than stored. Flood control is xmpp/'s job.
#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>

#include "core/calls.hpp"
#include "core/features.hpp"

namespace mucstream::core::detail {
namespace {

// A number given as a JSON-ish number or as a decimal string (XML attributes arrive as
// text); nullopt when it is neither or not finite.
std::optional<double> number(const Value& v) {
  if (v.is_number()) {
    const double d = v.as_double();
    return std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
  }
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.as_string();
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

// Whole numbers are stored as integers (what SQL casts expect), others as doubles.
Value stored(double d) {
  if (std::floor(d) == d && std::fabs(d) < 9.0e15) return Value(static_cast<std::int64_t>(d));
  return Value(d);
}

struct Range {
  const char* key;
  double max;
  const char* unit;  // for the error text
};

// Upper bounds are what a real call can show; beyond them a value is a bug or a lie.
constexpr Range kRanges[] = {
    {"rtt_ms", 600'000, "milliseconds up to 600000"},
    {"jitter_ms", 600'000, "milliseconds up to 600000"},
    {"packet_loss", 1, "a fraction between 0 and 1"},
    {"bitrate_in", 1e11, "bits per second up to 1e11"},
    {"bitrate_out", 1e11, "bits per second up to 1e11"},
    {"fps", 240, "frames per second up to 240"},
};
constexpr int kMaxDimension = 16384;  // pixels; above 16K video

bool candidate_type(const std::string& s) { return s == "host" || s == "srflx" || s == "prflx" || s == "relay"; }

Error bad(const std::string& field, const std::string& why) {
  return reject(ErrorCondition::bad_request, "Invalid P2P stats: " + field + " must be " + why);
}

std::optional<int> dimension(const Value& v) {
  auto d = number(v);
  if (!d || *d < 1 || *d > kMaxDimension || std::floor(*d) != *d) return std::nullopt;
  return static_cast<int>(*d);
}

// "1280x720" -> {1280, 720}
std::optional<std::pair<int, int>> parse_resolution(const std::string& s) {
  const auto x = s.find('x');
  if (x == std::string::npos) return std::nullopt;
  auto w = dimension(Value(s.substr(0, x)));
  auto h = dimension(Value(s.substr(x + 1)));
  if (!w || !h) return std::nullopt;
  return std::pair{*w, *h};
}

// The validated stats in a fixed key order, or the error naming the first bad field.
// Unknown keys are dropped: clients add figures faster than analysts need them.
std::variant<Value, Error> validate(const Value& in) {
  if (!in.is_object()) return reject(ErrorCondition::bad_request, "Invalid P2P stats: expected a set of fields");
  Value out = Value::object();
  for (const Range& r : kRanges) {
    const Value* v = in.find(r.key);
    if (v == nullptr) continue;
    auto d = number(*v);
    if (!d || *d < 0 || *d > r.max) return bad(r.key, r.unit);
    out.set(r.key, stored(*d));
  }
  if (const Value* res = in.find("resolution")) {
    auto wh = res->is_string() ? parse_resolution(res->as_string()) : std::nullopt;
    if (!wh) return bad("resolution", "WIDTHxHEIGHT in pixels, each 1 to 16384");
    out.set("resolution", std::to_string(wh->first) + "x" + std::to_string(wh->second));
  } else if (in.find("width") || in.find("height")) {
    const Value* w = in.find("width");
    const Value* h = in.find("height");
    if (w == nullptr || !dimension(*w)) return bad("width", "pixels from 1 to 16384, given with height");
    if (h == nullptr || !dimension(*h)) return bad("height", "pixels from 1 to 16384, given with width");
    out.set("resolution", std::to_string(*dimension(*w)) + "x" + std::to_string(*dimension(*h)));
  }
  for (const char* key : {"local_candidate_type", "remote_candidate_type"}) {
    const Value* v = in.find(key);
    if (v == nullptr) continue;
    if (!v->is_string() || !candidate_type(v->as_string())) return bad(key, "one of host, srflx, prflx, relay");
    out.set(key, v->as_string());
  }
  if (out.as_object().empty()) return reject(ErrorCondition::bad_request, "Invalid P2P stats: no known field");
  return out;
}

}  // namespace

Decision decide_p2p_stats(const Service& svc, const ReportP2PStats& c, Context& ctx) {
  const std::string from_jid = c.user.full();
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(reject(ErrorCondition::item_not_found, "No such room"));
  const Session* me = r->session_by_jid(from_jid);
  if (me == nullptr) return Decision::fail(reject(ErrorCondition::not_acceptable, "You are not an occupant of this room"));
  auto it = r->p2p.find(c.sid);
  if (it == r->p2p.end()) return Decision::fail(reject(ErrorCondition::item_not_found, "No live P2P session with that sid"));
  const P2PSession& p = it->second;
  if (p.initiator != me->id && p.responder != me->id)
    return Decision::fail(reject(ErrorCondition::forbidden, "You are not a party of that P2P session"));
  auto checked = validate(c.stats);
  if (auto* err = std::get_if<Error>(&checked)) return Decision::fail(*err);
  Decision d;
  Emitter e(d, ctx, *r);
  e.emit(me->id, data::P2PSessionStats{.sid = p.sid, .figures = std::move(std::get<Value>(checked))},
         p.initiator == me->id ? p.responder : p.initiator);
  return d;
}

}  // namespace mucstream::core::detail
