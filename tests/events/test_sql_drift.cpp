// The SQL side (sql/writer.cpp's statements, the views in sql/migrations) reads keys of
// events.data by name. This test keeps both sides in step: every key SQL reads is listed
// below with the event types it is read from and the JSON type it must have; each listed
// key must be in those types' data as the real encoder writes it; and every key the SQL
// sources read must be listed, so a key added or renamed on either side fails here.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "events/event_codec.hpp"
#include "events/json_value.hpp"
#include "tests/events/samples.hpp"

using namespace mucstream;
using core::EventType;
using core::Value;

namespace {

enum class Json { string, number, boolean, object, array };

struct Read {
  std::string path;  // "key" or "key,sub" as in data->'key' / data#>'{key,sub}'
  Json type;
  std::vector<EventType> from;
};

const std::vector<Read>& reads() {
  using T = EventType;
  static const std::vector<Read> kReads = {
      // sql/writer.cpp: rooms
      {"creator", Json::string, {T::room_created}},
      {"config", Json::object, {T::room_created, T::room_configured}},
      {"config,persistent", Json::boolean, {T::room_created, T::room_configured}},
      // sql/writer.cpp strips it from events.data, sql/replay.cpp puts it back (room_secrets)
      {"config,password_hash", Json::string, {T::room_created, T::room_configured}},
      {"reason", Json::string, {T::room_destroyed, T::occupant_left, T::p2p_session_ended}},
      // sql/writer.cpp: users; 0001_events.sql: the message archive view
      {"nick", Json::string, {T::occupant_joined, T::message_sent}},
      {"bare_jid", Json::string, {T::occupant_joined}},
      {"jid", Json::string, {T::occupant_joined}},
      {"role", Json::string, {T::occupant_joined}},
      {"affiliation", Json::string, {T::occupant_joined}},
      {"occupant_id", Json::string, {T::occupant_joined, T::message_sent}},
      {"client,type", Json::string, {T::occupant_joined}},
      {"client,os", Json::string, {T::occupant_joined}},
      {"client,browser", Json::string, {T::occupant_joined}},
      {"client,useragent", Json::string, {T::occupant_joined}},
      {"payload", Json::string, {T::message_sent}},
      // sql/forget.cpp: every nick a forgotten person used in a room
      {"new_nick", Json::string, {T::nick_changed}},
      // sql/archive_writer.cpp: a retraction finds the corrections of its target
      {"target", Json::string, {T::message_corrected, T::message_retracted}},
      // 0004_call_views.sql
      {"sid", Json::string, {T::p2p_session_started, T::p2p_session_ended, T::p2p_session_stats}},
      {"media", Json::array, {T::p2p_session_started}},
      {"rtt_ms", Json::number, {T::p2p_session_stats}},
      {"jitter_ms", Json::number, {T::p2p_session_stats}},
      {"packet_loss", Json::number, {T::p2p_session_stats}},
      {"bitrate_in", Json::number, {T::p2p_session_stats}},
      {"bitrate_out", Json::number, {T::p2p_session_stats}},
      {"fps", Json::number, {T::p2p_session_stats}},
      {"resolution", Json::string, {T::p2p_session_stats}},
      {"local_candidate_type", Json::string, {T::p2p_session_stats}},
      {"remote_candidate_type", Json::string, {T::p2p_session_stats}},
  };
  return kReads;
}

bool has_type(const Value& v, Json t) {
  switch (t) {
    case Json::string: return v.is_string();
    case Json::number: return v.is_number();
    case Json::boolean: return v.is_bool();
    case Json::object: return v.is_object();
    case Json::array: return v.is_array();
  }
  return false;
}

const Value* at_path(const Value& data, const std::string& path) {
  const Value* v = &data;
  std::stringstream parts(path);
  for (std::string key; std::getline(parts, key, ',');) {
    v = v->find(key);
    if (v == nullptr) return nullptr;
  }
  return v;
}

// Every data key path the SQL sources read, with the file that reads it.
std::map<std::string, std::string> sql_reads() {
  const std::filesystem::path root = std::filesystem::path(MUCSTREAM_SOURCE_DIR) / "sql";
  // data->>'k', data->'k', data#>'{a,b}', data#>>'{a,b}', data #- '{a,b}' and
  // jsonb_set(data, '{a,b}', …) (any alias before `data`).
  const std::regex key(R"(\bdata\s*->>?\s*'([^']+)')");
  const std::regex path(R"((?:\bdata\s*#(?:>>?|-)\s*|jsonb_set\(\s*\w*\.?data\s*,\s*)'\{([^}]*)\}')");
  std::map<std::string, std::string> out;
  for (const auto& f : std::filesystem::recursive_directory_iterator(root)) {
    const auto ext = f.path().extension();
    if (!f.is_regular_file() || (ext != ".sql" && ext != ".cpp" && ext != ".hpp")) continue;
    std::ifstream in(f.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    for (const std::regex* re : {&key, &path})
      for (std::sregex_iterator it(s.begin(), s.end(), *re), end; it != end; ++it) {
        std::string p = (*it)[1];
        p.erase(std::remove(p.begin(), p.end(), ' '), p.end());
        out.try_emplace(p, std::filesystem::relative(f.path(), MUCSTREAM_SOURCE_DIR).string());
      }
  }
  return out;
}

}  // namespace

TEST_CASE("sql drift: every key SQL reads from events.data is in that type's encoded data, with its JSON type") {
  const auto samples = testing::event_samples();
  for (int t = 0; t < core::kEventTypeCount; ++t)
    CHECK_MESSAGE(samples.count(static_cast<EventType>(t)), "no sample of ", core::to_string(static_cast<EventType>(t)));
  for (const Read& r : reads()) {
    for (EventType type : r.from) {
      CAPTURE(r.path);
      CAPTURE(core::to_string(type));
      REQUIRE(samples.count(type));
      const auto data = events::decode_value(events::encode_data(samples.at(type).data));
      REQUIRE(data);
      const Value* v = at_path(*data, r.path);
      REQUIRE_MESSAGE(v != nullptr, "the encoder writes no ", r.path);
      CHECK_MESSAGE(has_type(*v, r.type), "wrong JSON type: ", events::encode_value(*v));
    }
  }
}

TEST_CASE("sql drift: every data key the SQL sources read is known to this test, and every known key is read") {
  const auto found = sql_reads();
  REQUIRE(found.size() > 10);  // the scan works
  std::set<std::string> known;
  for (const Read& r : reads()) known.insert(r.path);
  for (const auto& [path, file] : found)
    CHECK_MESSAGE(known.count(path), file, " reads data key '", path,
                  "' that tests/events/test_sql_drift.cpp does not list: add it with its types");
  for (const std::string& path : known)
    CHECK_MESSAGE(found.count(path), "no SQL source reads data key '", path, "' any more: remove it from the list");
}
