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

// Days since 1970-01-01 <-> civil date (Howard Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

// Year 0001 .. 9999: what RFC 3339 can write and PostgreSQL can store.
constexpr std::int64_t kMinTimeMs = -62135596800000;
constexpr std::int64_t kMaxTimeMs = 253402300799999;

int digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

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
  write_string(w, core::to_string(e.type));
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

std::string format_time(std::int64_t unix_ms) {
  std::int64_t days = unix_ms / 86400000;
  std::int64_t rem = unix_ms % 86400000;
  if (rem < 0) {
    rem += 86400000;
    --days;
  }
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  const auto ms = static_cast<int>(rem % 1000);
  const auto sec = static_cast<int>(rem / 1000);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(y), m, d, sec / 3600,
                sec / 60 % 60, sec % 60, ms);
  return buf;
}

std::optional<std::int64_t> parse_time(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)
  const int y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  const int h = digits(s, 11, 2), mi = digits(s, 14, 2), se = digits(s, 17, 2);
  if (s.size() < 20 || y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0) return std::nullopt;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[mo - 1] + (mo == 2 && leap)) return std::nullopt;
  std::size_t i = 19;
  int ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n < 3) ms = ms * 10 + (s[i] - '0');
      ++n;
      ++i;
    }
    if (n == 0) return std::nullopt;
    for (std::size_t k = n; k < 3; ++k) ms *= 10;
  }
  int offset_min = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const int oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
    if (oh < 0 || om < 0 || s[i + 3] != ':' || oh > 23 || om > 59) return std::nullopt;
    offset_min = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const std::int64_t t = ((days * 24 + h) * 60 + mi - offset_min) * 60000LL + se * 1000LL + ms;
  if (t < kMinTimeMs || t > kMaxTimeMs) return std::nullopt;
  return t;
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
