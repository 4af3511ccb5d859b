#include "events/envelope.hpp"

#include <cstdio>
#include <limits>

#include "events/event_codec.hpp"
#include "events/json_detail.hpp"

namespace mucstream::events {
namespace {

using detail::has_nul;
using detail::json_type_name;
using detail::parse;
using detail::Writer;
using detail::write_string;

}  // namespace

void encode_into(std::string& out, const core::Event& e) {
  detail::StringOut os{out};
  Writer w(os);
  w.StartObject();
  w.Key("v");
  w.Int(core::kEventSchemaVersion);
  w.Key("id");
  write_string(w, e.id);
  w.Key("type");
  write_string(w, core::to_string(core::type_of(e.data)));  // the data is what the type must name
  w.Key("room");
  write_string(w, e.room);
  w.Key("room_id");
  write_string(w, e.room_id);
  w.Key("seq");
  w.Uint64(e.seq);
  w.Key("actor");
  write_string(w, e.actor);
  w.Key("peer");
  if (e.peer) write_string(w, *e.peer);
  else w.Null();
  w.Key("time");
  const std::string t = format_time(e.time_ms);
  write_string(w, t);
  w.Key("data");
  detail::write_data(w, e.data);
  w.EndObject();
}

std::string encode(const core::Event& e) {
  std::string s;
  s.reserve(256);
  encode_into(s, e);
  return s;
}

Decoded decode(std::string_view json) {
  Decoded out;
  rapidjson::Document doc;
  if (!parse(doc, json, out.error)) return out;
  if (!doc.IsObject()) {
    out.error = std::string("envelope is ") + json_type_name(doc) + ", not an object";
    return out;
  }
  auto member = [&](const char* name) -> const rapidjson::Value* {
    auto it = doc.FindMember(name);
    return it == doc.MemberEnd() ? nullptr : &it->value;
  };
  auto fail = [&](std::string why) {
    out.error = std::move(why);
    return out;
  };
  auto need_string = [&](const char* name, const rapidjson::Value*& v) -> bool {
    v = member(name);
    if (v == nullptr) {
      out.error = std::string("missing field '") + name + "'";
      return false;
    }
    if (!v->IsString()) {
      out.error = std::string("field '") + name + "' is " + json_type_name(*v) + ", expected a string";
      return false;
    }
    if (has_nul(v->GetString(), v->GetStringLength())) {
      out.error = std::string("field '") + name + "' contains a NUL character";
      return false;
    }
    if (!detail::valid_utf8(v->GetString(), v->GetStringLength())) {
      out.error = std::string("field '") + name + "' is not valid UTF-8";
      return false;
    }
    return true;
  };

  const rapidjson::Value* v = member("v");
  if (v == nullptr) return fail("missing field 'v' (schema version)");
  if (!v->IsInt()) return fail(std::string("field 'v' is ") + json_type_name(*v) + ", expected an integer");
  if (v->GetInt() != core::kEventSchemaVersion)
    return fail("unsupported schema version " + std::to_string(v->GetInt()) + " (this build reads " +
                std::to_string(core::kEventSchemaVersion) + ")");

  core::Event e;
  const rapidjson::Value* f = nullptr;
  if (!need_string("id", f)) return out;
  e.id.assign(f->GetString(), f->GetStringLength());
  if (!is_uuid(e.id)) return fail("field 'id' is not a UUID: '" + e.id.substr(0, 64) + "'");

  if (!need_string("type", f)) return out;
  const std::string_view type(f->GetString(), f->GetStringLength());
  auto t = core::event_type_from_string(type);
  if (!t) return fail("unknown event type '" + std::string(type.substr(0, 64)) + "'");
  e.type = *t;

  if (!need_string("room", f)) return out;
  e.room.assign(f->GetString(), f->GetStringLength());
  if (e.room.empty()) return fail("field 'room' is empty");

  if (!need_string("room_id", f)) return out;
  e.room_id.assign(f->GetString(), f->GetStringLength());
  if (!is_uuid(e.room_id)) return fail("field 'room_id' is not a UUID: '" + e.room_id.substr(0, 64) + "'");

  f = member("seq");
  if (f == nullptr) return fail("missing field 'seq'");
  if (!f->IsUint64() || f->GetUint64() == 0 ||
      f->GetUint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return fail("field 'seq' must be a positive integer");
  e.seq = f->GetUint64();

  if (!need_string("actor", f)) return out;
  e.actor.assign(f->GetString(), f->GetStringLength());
  if (!e.actor.empty() && !is_uuid(e.actor)) return fail("field 'actor' is neither empty nor a session UUID");

  f = member("peer");
  if (f != nullptr && !f->IsNull()) {
    if (!f->IsString()) return fail(std::string("field 'peer' is ") + json_type_name(*f) + ", expected a string or null");
    std::string peer(f->GetString(), f->GetStringLength());
    if (!is_uuid(peer)) return fail("field 'peer' is not a session UUID");
    e.peer = std::move(peer);
  }

  if (!need_string("time", f)) return out;
  auto ms = parse_time(std::string_view(f->GetString(), f->GetStringLength()));
  if (!ms) return fail("field 'time' is not an RFC 3339 date-time between years 1 and 9999");
  e.time_ms = *ms;

  f = member("data");
  if (f == nullptr) return fail("missing field 'data'");
  if (!f->IsObject()) return fail(std::string("field 'data' is ") + json_type_name(*f) + ", expected an object");
  std::string err;
  auto data = detail::to_value(*f, 1, err, "data");
  if (!data) return fail(std::move(err));
  e.data = read_data(e.type, std::move(*data));

  out.event = std::move(e);
  return out;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < 36; ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

}  // namespace mucstream::events
