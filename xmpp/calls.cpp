// Call-related wire extensions -> core commands and event data (see calls.hpp and
// docs/protocol.md "Calls"). What the component relays is never changed here.
#include "xmpp/calls.hpp"

#include <gloox/tag.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace mucstream::xmpp {
namespace {

using core::ErrorCondition;

// gloox 1.0.24's Tag::xmlns() does not inherit a parent's default namespace (a <reason/>
// inside <jingle xmlns='urn:xmpp:jingle:1'/> reads ""), so look upwards ourselves.
std::string xmlns_of(const gloox::Tag& t) {
  for (const gloox::Tag* p = &t; p != nullptr; p = p->parent())
    if (std::string n = p->xmlns(); !n.empty()) return n;
  return {};
}

const gloox::Tag* child_ns(const gloox::Tag& t, const std::string& name, const char* xmlns) {
  for (const gloox::Tag* c : t.children())
    if (c->name() == name && xmlns_of(*c) == xmlns) return c;
  return nullptr;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool has(const std::string& hay, std::string_view needle) { return hay.find(needle) != std::string::npos; }

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// A content's kind guessed from its name alone, for contents whose description we never
// saw ("voice"/"webcam" are XEP-0167's own examples; "screen"/"desktop" are screen shares).
std::string media_from_name(const std::string& name) {
  const std::string n = lower(name);
  if (has(n, "screen") || has(n, "desktop")) return "screen";
  if (has(n, "audio") || has(n, "voice")) return "audio";
  if (has(n, "video") || has(n, "webcam") || has(n, "camera")) return "video";
  return {};
}

// A screen marker anywhere under the description: Jitsi's videoType='desktop' on
// <source/> (or on the description), or mucstream's <screen xmlns='urn:xmpp:mucstream:0'/>.
bool screen_marker(const gloox::Tag& t) {
  const std::string vt = lower(t.findAttribute("videoType"));
  if (vt == "desktop" || vt == "screen") return true;
  if (t.name() == "screen" && xmlns_of(t) == ns::kMucstream) return true;
  for (const gloox::Tag* c : t.children())
    if (screen_marker(*c)) return true;
  return false;
}

bool known_action(const std::string& a) {
  static constexpr std::string_view kActions[] = {
      "content-accept", "content-add",      "content-modify",    "content-reject",   "content-remove",
      "description-info", "security-info",  "session-accept",    "session-info",     "session-initiate",
      "session-terminate", "transport-accept", "transport-info", "transport-reject", "transport-replace"};
  return std::find(std::begin(kActions), std::end(kActions), a) != std::end(kActions);
}

void add_kind(std::vector<std::string>& kinds, const std::string& k) {
  if (!k.empty() && std::find(kinds.begin(), kinds.end(), k) == kinds.end()) kinds.push_back(k);
}

// Fixed order (audio, video, screen) so the same session always reads the same.
std::vector<std::string> ordered(const std::vector<std::string>& kinds) {
  std::vector<std::string> out;
  for (const char* k : {"audio", "video", "screen"})
    if (std::find(kinds.begin(), kinds.end(), k) != kinds.end()) out.emplace_back(k);
  return out;
}

std::optional<double> parse_number(const std::string& s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

core::Value number_value(double v) {
  if (v == std::floor(v) && std::fabs(v) < 9e15) return core::Value(static_cast<std::int64_t>(v));
  return core::Value(v);
}

std::string bounded(const std::string& s, std::size_t n) { return s.size() <= n ? s : s.substr(0, n); }

}  // namespace

// --- JingleContents ------------------------------------------------------------------

namespace {
std::string session_key(const std::string& room, const std::string& sid) { return room + '\n' + sid; }
}  // namespace

void JingleContents::learn(const std::string& room, const std::string& sid, const std::string& name,
                           const std::string& media) {
  const std::string key = session_key(room, sid);
  auto [it, fresh] = by_sid_.try_emplace(key);
  if (fresh) {
    order_.push_back(key);
    if (order_.size() > kMaxSessions) {  // forget the oldest sessions (they ended without a terminate)
      const std::size_t drop = order_.size() / 4;
      for (std::size_t i = 0; i < drop; ++i) by_sid_.erase(order_[i]);
      order_.erase(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(drop));
    }
  }
  if (!name.empty() && !media.empty()) by_sid_[key][name] = media;
}

const std::string* JingleContents::find(const std::string& room, const std::string& sid, const std::string& name) const {
  auto s = by_sid_.find(session_key(room, sid));
  if (s == by_sid_.end()) return nullptr;
  auto n = s->second.find(name);
  return n == s->second.end() ? nullptr : &n->second;
}

void JingleContents::forget(const std::string& room, const std::string& sid) {
  const std::string key = session_key(room, sid);
  if (by_sid_.erase(key) != 0) std::erase(order_, key);
}

void JingleContents::record(const JingleSeen& j) {
  if (j.ends) return forget(j.room, j.sid);
  for (const auto& [name, media] : j.contents) learn(j.room, j.sid, name, media);
}

// --- Jingle --------------------------------------------------------------------------

std::string content_media(const gloox::Tag& content) {
  const gloox::Tag* desc = child_ns(content, "description", ns::kJingleRtp);
  if (desc == nullptr) return {};
  const std::string media = desc->findAttribute("media");
  if (media == "audio") return "audio";
  if (media != "video") return {};
  if (screen_marker(*desc) || media_from_name(content.findAttribute("name")) == "screen") return "screen";
  return "video";
}

std::optional<JingleSeen> decode_jingle(const gloox::Tag& j, const core::Jid& user, const std::string& room,
                                        const std::string& to_nick, const JingleContents* known) {
  JingleSeen seen;
  seen.room = room;
  seen.action = j.findAttribute("action");
  seen.sid = j.findAttribute("sid");
  if (seen.sid.empty() || !known_action(seen.action)) return std::nullopt;

  // Every <content/>: its declared media, or (without a description) what we learned or
  // what its name says.
  std::vector<std::string> kinds;
  std::size_t contents = 0;
  for (const gloox::Tag* c : j.children()) {
    if (c->name() != "content") continue;
    ++contents;
    const std::string& name = c->findAttribute("name");
    std::string kind = content_media(*c);
    if (!kind.empty()) {
      seen.contents.emplace_back(name, kind);
    } else if (child_ns(*c, "description", ns::kJingleRtp) == nullptr) {
      const std::string* k = known ? known->find(room, seen.sid, name) : nullptr;
      kind = k ? *k : media_from_name(name);
    }
    add_kind(kinds, kind);
  }

  core::ObserveJingle o;
  o.user = user;
  o.room = room;
  o.to_nick = to_nick;
  o.sid = seen.sid;
  const std::string& a = seen.action;
  if (a == "session-accept") {
    if (contents == 0) return std::nullopt;  // XEP-0166 §7.2.1: an accept names its contents
    if (!kinds.empty()) {  // a file transfer or other non-RTP session is not a call
      o.action = core::ObserveJingle::Action::session_accept;
      o.media = ordered(kinds);
      seen.observe = std::move(o);
    }
  } else if (a == "session-terminate") {
    seen.ends = true;
    o.action = core::ObserveJingle::Action::session_terminate;
    if (const gloox::Tag* r = child_ns(j, "reason", ns::kJingle); r != nullptr) {
      for (const gloox::Tag* c : r->children())
        if (c->name() != "text") {
          o.reason = c->name();
          break;
        }
    }
    seen.observe = std::move(o);
  } else if (a == "session-info") {
    for (const gloox::Tag* c : j.children()) {
      if ((c->name() != "mute" && c->name() != "unmute") || xmlns_of(*c) != ns::kJingleRtpInfo) continue;
      const std::string& name = c->findAttribute("name");
      std::string kind;
      if (!name.empty()) {
        const std::string* k = known ? known->find(room, seen.sid, name) : nullptr;
        kind = k ? *k : media_from_name(name);
        if (kind != "audio" && kind != "video") break;  // unknown or screen content: nothing to say
      }
      o.action = c->name() == "mute" ? core::ObserveJingle::Action::mute : core::ObserveJingle::Action::unmute;
      o.mute_name = kind;  // "" = every content of the session
      seen.observe = std::move(o);
      break;
    }
  } else if (a == "content-add" || a == "content-remove") {
    if (contents == 0) return std::nullopt;
    if (!kinds.empty()) {
      o.action = a == "content-add" ? core::ObserveJingle::Action::content_add
                                    : core::ObserveJingle::Action::content_remove;
      o.media = ordered(kinds);
      seen.observe = std::move(o);
    }
  }
  return seen;
}

// --- presence ------------------------------------------------------------------------

std::optional<core::AnnounceMedia> decode_media_presence(const gloox::Tag& p, const core::Jid& user,
                                                         const std::string& room) {
  core::AnnounceMedia m;
  m.user = user;
  m.room = room;
  auto flag = [](const gloox::Tag* t) -> std::optional<bool> {
    if (t == nullptr) return std::nullopt;
    const std::string v = trim(t->cdata());
    if (v == "true") return true;
    if (v == "false") return false;
    return std::nullopt;  // nonsense is "not announced"
  };
  m.audio_paused = flag(child_ns(p, "audiomuted", ns::kJitsiAudio));
  m.video_paused = flag(child_ns(p, "videomuted", ns::kJitsiVideo));
  if (const gloox::Tag* vt = child_ns(p, "videoType", ns::kJitsiVideo)) {
    const std::string v = trim(vt->cdata());
    if (v == "desktop") m.screen_sharing = true;
    else if (v == "camera") m.screen_sharing = false;
  }
  // The mucstream element is the more precise statement: it wins over the Jitsi ones.
  if (const gloox::Tag* e = child_ns(p, "media", ns::kMucstream)) {
    auto state = [&](const char* attr, const char* on, const char* off, std::optional<bool>& out) {
      const std::string& v = e->findAttribute(attr);
      if (v == on) out = true;
      else if (v == off) out = false;
    };
    state("audio", "paused", "active", m.audio_paused);
    state("video", "paused", "active", m.video_paused);
    state("screen", "sharing", "none", m.screen_sharing);
  }
  if (!m.audio_paused && !m.video_paused && !m.screen_sharing) return std::nullopt;
  return m;
}

core::Value decode_client_info(const gloox::Tag& p) {
  core::Value v = core::Value::object();
  if (const gloox::Tag* c = child_ns(p, "client", ns::kMucstream)) {
    const std::string& type = c->findAttribute("type");
    if (type == "browser" || type == "mobile") v.set("type", type);
    for (const char* k : {"os", "browser"})
      if (c->hasAttribute(k)) v.set(k, bounded(c->findAttribute(k), 128));
    if (c->hasAttribute("useragent")) v.set("useragent", bounded(c->findAttribute("useragent"), 512));
    return v;
  }
  const gloox::Tag* caps = child_ns(p, "c", ns::kCaps);
  if (caps == nullptr || caps->findAttribute("node").empty()) return v;
  const std::string node = bounded(caps->findAttribute("node"), 256);
  const std::string n = lower(node);
  struct Known {
    const char* needle;
    const char* type;
    const char* os;
    const char* browser;
  };
  // A few well-known clients; anything else is named after the node's host.
  static constexpr Known kKnown[] = {
      {"conversations.im", "mobile", "Android", "Conversations"},
      {"monal", "mobile", "iOS", "Monal"},
      {"siskin", "mobile", "iOS", "Siskin IM"},
      {"conversejs", "browser", "", "Converse.js"},
      {"jitsi", "browser", "", "Jitsi Meet"},
      {"movim", "browser", "", "Movim"},
      {"gajim", "", "", "Gajim"},
      {"dino.im", "", "", "Dino"},
  };
  for (const Known& k : kKnown) {
    if (!has(n, k.needle)) continue;
    if (*k.type) v.set("type", k.type);
    if (*k.os) v.set("os", k.os);
    v.set("browser", k.browser);
    v.set("caps_node", node);
    return v;
  }
  std::string host = node;
  if (auto s = host.find("://"); s != std::string::npos) host = host.substr(s + 3);
  host = host.substr(0, host.find('/'));
  if (!host.empty()) v.set("browser", host);
  v.set("caps_node", node);
  return v;
}

bool is_room_only_presence_child(const gloox::Tag& c) {
  return (c.name() == "client" || c.name() == "session" || c.name() == "telemetry") && c.xmlns() == ns::kMucstream;
}

// --- stats ---------------------------------------------------------------------------

std::variant<core::Value, core::Error> decode_stats(const gloox::Tag& s, std::string& sid) {
  auto bad = [](std::string text) { return core::make_error(ErrorCondition::bad_request, std::move(text)); };
  sid = s.findAttribute("sid");
  if (sid.empty()) return bad("The stats need the Jingle session id in 'sid'");
  core::Value data = core::Value::object();
  data.set("sid", sid);
  struct Range {
    const char* attr;
    const char* key;
    double max;
  };
  // The same bounds core::decide_p2p_stats applies to data from any source.
  static constexpr Range kNumbers[] = {
      {"rtt", "rtt_ms", 600'000},         {"jitter", "jitter_ms", 600'000},    {"packet-loss", "packet_loss", 1},
      {"bitrate-in", "bitrate_in", 1e11}, {"bitrate-out", "bitrate_out", 1e11}, {"fps", "fps", 240},
  };
  std::size_t figures = 0;
  for (const Range& r : kNumbers) {
    if (!s.hasAttribute(r.attr)) continue;
    auto v = parse_number(s.findAttribute(r.attr));
    if (!v || *v < 0 || *v > r.max)
      return bad(std::string("'") + r.attr + "' must be a number from 0 to " + (r.max == 1 ? "1" : std::to_string(static_cast<long long>(r.max))));
    data.set(r.key, number_value(*v));
    ++figures;
  }
  if (s.hasAttribute("resolution")) {
    const std::string& res = s.findAttribute("resolution");
    const auto x = res.find('x');
    auto w = x == std::string::npos ? std::nullopt : parse_number(res.substr(0, x));
    auto h = x == std::string::npos ? std::nullopt : parse_number(res.substr(x + 1));
    if (!w || !h || *w < 1 || *h < 1 || *w > 16384 || *h > 16384 || *w != std::floor(*w) || *h != std::floor(*h))
      return bad("'resolution' must be WIDTHxHEIGHT in pixels, e.g. 1280x720");
    data.set("resolution", res);
    ++figures;
  }
  for (const char* attr : {"local-candidate", "remote-candidate"}) {
    if (!s.hasAttribute(attr)) continue;
    const std::string& t = s.findAttribute(attr);
    if (t != "host" && t != "srflx" && t != "prflx" && t != "relay")
      return bad(std::string("'") + attr + "' must be host, srflx, prflx or relay");
    data.set(attr == std::string_view("local-candidate") ? "local_candidate_type" : "remote_candidate_type", t);
    ++figures;
  }
  if (figures == 0) return bad("The stats carry no figures");
  return data;
}

// --- real-time text ------------------------------------------------------------------

std::optional<bool> decode_rtt(const gloox::Tag& m) {
  const gloox::Tag* r = child_ns(m, "rtt", ns::kRtt);
  if (r == nullptr) return std::nullopt;
  const std::string& e = r->findAttribute("event");  // XEP-0301 §4.2.2: absent means "edit"
  if (e == "init" || e == "new") return true;
  if (e == "cancel") return false;
  return std::nullopt;
}

}  // namespace mucstream::xmpp
