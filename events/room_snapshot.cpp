// Room snapshots as JSON. Written with the events' RapidJSON writer, read from a parsed
// document member by member: a snapshot is the start of a restore, so anything that does not
// read as the room it claims to be is an error with a message, never a silent default.
#include "events/room_snapshot.hpp"

#include <stdexcept>

#include "events/json_detail.hpp"

namespace mucstream::events {
namespace {

using detail::Writer;
using Json = rapidjson::Value;

// ---- The keys -----------------------------------------------------------------------------
namespace key {
constexpr const char* version = "v";
constexpr const char* jid = "jid";
constexpr const char* room_id = "room_id";
constexpr const char* seq = "seq";
constexpr const char* created_ms = "created_ms";
constexpr const char* last_activity_ms = "last_activity_ms";
constexpr const char* occupant_id_salt = "occupant_id_salt";
constexpr const char* config = "config";
constexpr const char* awaiting_configuration = "awaiting_configuration";
constexpr const char* locked = "locked";
constexpr const char* affiliations = "affiliations";  // {bare JID: {affiliation, reason}}
constexpr const char* affiliation = "affiliation";
constexpr const char* reason = "reason";
constexpr const char* subject = "subject";
constexpr const char* subject_nick = "subject_nick";
constexpr const char* occupants = "occupants";
constexpr const char* nick = "nick";
constexpr const char* bare_jid = "bare_jid";
constexpr const char* occupant_id = "occupant_id";
constexpr const char* role = "role";
constexpr const char* sessions = "sessions";
constexpr const char* id = "id";
constexpr const char* full_jid = "full_jid";
constexpr const char* joined_ms = "joined_ms";
constexpr const char* client = "client";
constexpr const char* media = "media";
constexpr const char* audio_paused = "audio_paused";
constexpr const char* video_paused = "video_paused";
constexpr const char* screen_sharing = "screen_sharing";
constexpr const char* rtt = "rtt";
constexpr const char* history = "history";
constexpr const char* from_jid = "from_jid";
constexpr const char* payload = "payload";
constexpr const char* stanza_id = "stanza_id";
constexpr const char* time_ms = "time_ms";
constexpr const char* recent = "recent";  // ids and authors for corrections and retractions
constexpr const char* client_id = "client_id";
constexpr const char* original = "original";
constexpr const char* p2p = "p2p";
constexpr const char* sid = "sid";
constexpr const char* initiator = "initiator";
constexpr const char* responder = "responder";
constexpr const char* started_ms = "started_ms";
}  // namespace key

// Bumped when a change would make an older reader misread a newer snapshot.
constexpr std::int64_t kVersion = 1;

// ---- Writing ------------------------------------------------------------------------------

struct Out {
  Writer& w;
  void str(const char* k, const std::string& v) {
    w.Key(k);
    detail::write_string(w, v);
  }
  void i64(const char* k, std::int64_t v) {
    w.Key(k);
    w.Int64(v);
  }
  void boolean(const char* k, bool v) {
    w.Key(k);
    w.Bool(v);
  }
};

void write_session(Writer& w, const core::Session& s) {
  Out o{w};
  w.StartObject();
  o.str(key::id, s.id);
  o.str(key::full_jid, s.full_jid);
  o.i64(key::joined_ms, s.joined_ms);
  w.Key(key::client);
  detail::write_value(w, s.client);
  w.Key(key::media);
  w.StartObject();
  o.boolean(key::audio_paused, s.media.audio_paused);
  o.boolean(key::video_paused, s.media.video_paused);
  o.boolean(key::screen_sharing, s.media.screen_sharing);
  o.boolean(key::rtt, s.media.rtt);
  w.EndObject();
  w.EndObject();
}

void write_room(Writer& w, const core::Room& r) {
  Out o{w};
  w.StartObject();
  o.i64(key::version, kVersion);
  o.str(key::jid, r.jid);
  o.str(key::room_id, r.room_id);
  w.Key(key::seq);
  w.Uint64(r.seq);
  o.i64(key::created_ms, r.created_ms);
  o.i64(key::last_activity_ms, r.last_activity_ms);
  o.str(key::occupant_id_salt, r.occupant_id_salt);
  w.Key(key::config);
  detail::write_config(w, r.config);
  o.boolean(key::awaiting_configuration, r.awaiting_configuration);
  o.boolean(key::locked, r.locked);
  w.Key(key::affiliations);
  w.StartObject();
  for (const auto& [jid, a] : r.affiliations) {
    detail::write_string(w, jid);
    w.StartObject();
    o.str(key::affiliation, std::string(core::to_string(a.affiliation)));
    o.str(key::reason, a.reason);
    w.EndObject();
  }
  w.EndObject();
  o.str(key::subject, r.subject);
  o.str(key::subject_nick, r.subject_nick);
  w.Key(key::occupants);
  w.StartArray();
  for (const auto& [nick, occ] : r.occupants) {
    w.StartObject();
    o.str(key::nick, occ.nick);
    o.str(key::bare_jid, occ.bare_jid);
    o.str(key::occupant_id, occ.occupant_id);
    o.str(key::role, std::string(core::to_string(occ.role)));
    w.Key(key::sessions);
    w.StartArray();
    for (const auto& s : occ.sessions) write_session(w, s);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key(key::history);
  w.StartArray();
  for (const auto& h : r.history) {
    w.StartObject();
    o.str(key::nick, h.nick);
    o.str(key::occupant_id, h.occupant_id);
    o.str(key::from_jid, h.from_jid);
    o.str(key::payload, h.payload);
    o.str(key::stanza_id, h.stanza_id);
    o.i64(key::time_ms, h.time_ms);
    w.EndObject();
  }
  w.EndArray();
  w.Key(key::recent);
  w.StartArray();
  for (const auto& m : r.recent) {
    w.StartObject();
    o.str(key::stanza_id, m.stanza_id);
    o.str(key::client_id, m.client_id);
    o.str(key::bare_jid, m.bare_jid);
    o.str(key::occupant_id, m.occupant_id);
    o.i64(key::time_ms, m.time_ms);
    o.str(key::original, m.original);
    w.EndObject();
  }
  w.EndArray();
  w.Key(key::p2p);
  w.StartArray();
  for (const auto& [sid, p] : r.p2p) {
    w.StartObject();
    o.str(key::sid, p.sid);
    o.str(key::initiator, p.initiator);
    o.str(key::responder, p.responder);
    o.i64(key::started_ms, p.started_ms);
    w.Key(key::media);
    w.StartArray();
    for (const auto& m : p.media) detail::write_string(w, m);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

// ---- Reading ------------------------------------------------------------------------------

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("room snapshot: " + what); }

// One JSON object being read, named by its path in messages ("$.occupants[2].sessions[0]").
class In {
 public:
  In(const Json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j.IsObject()) fail(path_ + " is " + detail::json_type_name(j) + ", expected an object");
  }

  const std::string& path() const { return path_; }
  std::string at(const char* k) const { return path_ + "." + k; }

  // The member, or nullptr when absent (or null: what an older writer did not have).
  const Json* find(const char* k) const {
    auto it = j_.FindMember(k);
    return it == j_.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
  }
  const Json& need(const char* k) const {
    const Json* v = find(k);
    if (v == nullptr) fail(at(k) + " is missing");
    return *v;
  }

  void str(const char* k, std::string& out, bool required = false) const {
    const Json* v = required ? &need(k) : find(k);
    if (v == nullptr) return;
    if (!v->IsString()) wrong(k, *v, "a string");
    out.assign(v->GetString(), v->GetStringLength());
  }
  void i64(const char* k, std::int64_t& out) const {
    const Json* v = find(k);
    if (v == nullptr) return;
    if (!v->IsInt64()) wrong(k, *v, "an integer");
    out = v->GetInt64();
  }
  void boolean(const char* k, bool& out) const {
    const Json* v = find(k);
    if (v == nullptr) return;
    if (!v->IsBool()) wrong(k, *v, "a boolean");
    out = v->GetBool();
  }
  // An array member's elements (none when absent).
  const Json* array(const char* k, rapidjson::SizeType& n) const {
    const Json* v = find(k);
    n = 0;
    if (v == nullptr) return nullptr;
    if (!v->IsArray()) wrong(k, *v, "an array");
    n = v->Size();
    return v;
  }

  [[noreturn]] void wrong(const char* k, const Json& v, const char* expected) const {
    fail(at(k) + " is " + detail::json_type_name(v) + ", expected " + expected);
  }

 private:
  const Json& j_;
  std::string path_;
};

std::string item(const std::string& path, rapidjson::SizeType i) { return path + "[" + std::to_string(i) + "]"; }

core::Session read_session(const In& in) {
  core::Session s;
  in.str(key::id, s.id, true);
  in.str(key::full_jid, s.full_jid, true);
  in.i64(key::joined_ms, s.joined_ms);
  if (const Json* c = in.find(key::client)) {
    std::string err;
    auto v = detail::to_value(*c, 0, err, in.at(key::client));
    if (!v) fail(err);
    s.client = std::move(*v);
  }
  if (const Json* m = in.find(key::media)) {
    In media(*m, in.at(key::media));
    media.boolean(key::audio_paused, s.media.audio_paused);
    media.boolean(key::video_paused, s.media.video_paused);
    media.boolean(key::screen_sharing, s.media.screen_sharing);
    media.boolean(key::rtt, s.media.rtt);
  }
  return s;
}

core::Occupant read_occupant(const In& in) {
  core::Occupant o;
  in.str(key::nick, o.nick, true);
  in.str(key::bare_jid, o.bare_jid);
  in.str(key::occupant_id, o.occupant_id);
  std::string role;
  in.str(key::role, role, true);
  auto r = core::role_from_string(role);
  if (!r) fail(in.at(key::role) + " is an unknown role \"" + role + "\"");
  o.role = *r;
  rapidjson::SizeType n = 0;
  if (const Json* a = in.array(key::sessions, n)) {
    o.sessions.reserve(n);
    for (rapidjson::SizeType i = 0; i < n; ++i) o.sessions.push_back(read_session(In((*a)[i], item(in.at(key::sessions), i))));
  }
  if (o.sessions.empty()) fail(in.path() + " has no session");  // apply() never keeps such an occupant
  return o;
}

core::Room read_room(const In& in) {
  core::Room r;
  std::int64_t version = kVersion;
  in.i64(key::version, version);
  if (version > kVersion) fail("version " + std::to_string(version) + " is newer than this reader's " + std::to_string(kVersion));
  in.str(key::jid, r.jid, true);
  in.str(key::room_id, r.room_id, true);
  const Json& seq = in.need(key::seq);
  if (!seq.IsUint64()) in.wrong(key::seq, seq, "a non-negative integer");
  r.seq = seq.GetUint64();
  in.i64(key::created_ms, r.created_ms);
  in.i64(key::last_activity_ms, r.last_activity_ms);  // absent in older snapshots: 0, unknown
  in.str(key::occupant_id_salt, r.occupant_id_salt);
  if (const Json* c = in.find(key::config)) {
    if (!c->IsObject()) in.wrong(key::config, *c, "an object");
    std::string err;
    auto v = detail::to_value(*c, 0, err, in.at(key::config));
    if (!v) fail(err);
    r.config = detail::read_config(std::move(*v));
  }
  in.boolean(key::awaiting_configuration, r.awaiting_configuration);
  in.boolean(key::locked, r.locked);
  if (const Json* affs = in.find(key::affiliations)) {
    if (!affs->IsObject()) in.wrong(key::affiliations, *affs, "an object");
    for (auto it = affs->MemberBegin(); it != affs->MemberEnd(); ++it) {
      std::string jid(it->name.GetString(), it->name.GetStringLength());
      In e(it->value, in.at(key::affiliations) + "[\"" + jid + "\"]");
      core::AffiliationEntry entry;
      std::string a;
      e.str(key::affiliation, a, true);
      auto parsed = core::affiliation_from_string(a);
      if (!parsed) fail(e.at(key::affiliation) + " is an unknown affiliation \"" + a + "\"");
      entry.affiliation = *parsed;
      e.str(key::reason, entry.reason);
      r.affiliations.insert_or_assign(std::move(jid), std::move(entry));
    }
  }
  in.str(key::subject, r.subject);
  in.str(key::subject_nick, r.subject_nick);
  rapidjson::SizeType n = 0;
  if (const Json* occs = in.array(key::occupants, n)) {
    for (rapidjson::SizeType i = 0; i < n; ++i) {
      core::Occupant o = read_occupant(In((*occs)[i], item(in.at(key::occupants), i)));
      for (const auto& s : o.sessions) r.nick_by_session_jid[s.full_jid] = o.nick;
      std::string nick = o.nick;
      if (!r.occupants.emplace(std::move(nick), std::move(o)).second)
        fail(item(in.at(key::occupants), i) + " repeats a nick");
    }
  }
  if (const Json* hist = in.array(key::history, n)) {
    for (rapidjson::SizeType i = 0; i < n; ++i) {
      In e((*hist)[i], item(in.at(key::history), i));
      core::HistoryEntry h;
      e.str(key::nick, h.nick);
      e.str(key::occupant_id, h.occupant_id);
      e.str(key::from_jid, h.from_jid);
      e.str(key::payload, h.payload);
      e.str(key::stanza_id, h.stanza_id);
      e.i64(key::time_ms, h.time_ms);
      r.history.push_back(std::move(h));
    }
  }
  // Absent from snapshots written before corrections existed: the room then starts with none.
  if (const Json* recent = in.array(key::recent, n)) {
    for (rapidjson::SizeType i = 0; i < n; ++i) {
      In e((*recent)[i], item(in.at(key::recent), i));
      core::RecentMessage m;
      e.str(key::stanza_id, m.stanza_id, true);
      e.str(key::client_id, m.client_id);
      e.str(key::bare_jid, m.bare_jid);
      e.str(key::occupant_id, m.occupant_id);
      e.i64(key::time_ms, m.time_ms);
      e.str(key::original, m.original);
      r.recent.add(std::move(m), static_cast<std::size_t>(n));
    }
  }
  if (const Json* calls = in.array(key::p2p, n)) {
    for (rapidjson::SizeType i = 0; i < n; ++i) {
      In e((*calls)[i], item(in.at(key::p2p), i));
      core::P2PSession p;
      e.str(key::sid, p.sid, true);
      e.str(key::initiator, p.initiator);
      e.str(key::responder, p.responder);
      e.i64(key::started_ms, p.started_ms);
      rapidjson::SizeType m = 0;
      if (const Json* media = e.array(key::media, m)) {
        for (rapidjson::SizeType j = 0; j < m; ++j) {
          const Json& x = (*media)[j];
          if (!x.IsString()) fail(item(e.at(key::media), j) + " is " + detail::json_type_name(x) + ", expected a string");
          p.media.emplace_back(x.GetString(), x.GetStringLength());
        }
      }
      std::string sid = p.sid;
      r.p2p.insert_or_assign(std::move(sid), std::move(p));
    }
  }
  return r;
}

}  // namespace

std::string encode_room(const core::Room& r) {
  std::string s;
  s.reserve(512);
  detail::StringOut os{s};
  Writer w(os);
  write_room(w, r);
  return s;
}

core::Room decode_room(std::string_view json) {
  detail::PooledDocument pooled;
  rapidjson::Document& doc = pooled.doc();
  std::string err;
  if (!detail::parse(doc, json, err)) fail(err);
  return read_room(In(doc, "$"));
}

}  // namespace mucstream::events
