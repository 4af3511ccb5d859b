// Seed data for the analytics benchmark (tools/bench/analytics.sh): realistic talky-style
// meetings written as PostgreSQL COPY text, one file per table, so the script can load
// them with COPY into the real schema (migrated by `mucstreamd migrate`).
//
//   mucstream_analytics_seed OUT_DIR EVENTS [DAYS=30] [START=2026-10-15]
//
// Writes OUT_DIR/events.copy, rooms.copy, users.copy and prints the counts. About 500
// events per room (EVENTS=10M -> ~21k rooms). Each room is a meeting: 2-6 sessions join
// within minutes of its creation (browser and mobile clients), chat, open P2P sessions
// between pairs that report stats periodically, pause and resume audio/video, leave; the
// room is destroyed when the last one leaves. Deterministic (fixed seed): two runs give
// the same rows, so figures are comparable between runs.
#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace {

std::mt19937_64 rng(20261122);

std::uint64_t u64() { return rng(); }
double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }
int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
bool chance(double p) { return uniform(0, 1) < p; }

// UUIDv7: 48-bit ms timestamp, version 7, variant 10, random rest (time-ordered like the
// ids the component makes).
std::string uuid7(std::int64_t ms) {
  const std::uint64_t r1 = u64(), r2 = u64();
  char b[64];
  std::snprintf(b, sizeof b, "%08" PRIx64 "-%04" PRIx64 "-7%03" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
                static_cast<std::uint64_t>(ms) >> 16, static_cast<std::uint64_t>(ms) & 0xffff, r1 & 0xfff,
                0x8000 | ((r1 >> 12) & 0x3fff), r2 & std::uint64_t{0xffffffffffff});
  return b;
}

std::string ts(std::int64_t ms) { return mucstream::core::format_time(ms); }  // what COPY reads for timestamptz

std::string hex(int bytes) {
  std::string s;
  for (int i = 0; i < bytes; ++i) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", static_cast<unsigned>(u64() & 0xff));
    s += b;
  }
  return s;
}

struct Client {
  const char* type;
  const char* os;
  const char* browser;
  const char* useragent;
};
const Client kClients[] = {
    {"browser", "windows", "chrome", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"},
    {"browser", "macos", "safari", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Version/18.0 Safari/605.1.15"},
    {"browser", "linux", "firefox", "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"},
    {"browser", "windows", "edge", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Edg/130.0"},
    {"mobile", "android", "chrome", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36"},
    {"mobile", "ios", "safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"},
};

struct Ev {
  std::int64_t ms;
  const char* type;
  std::string actor, peer, data;  // actor/peer "" -> NULL
};

struct Session {
  std::string id, user, nick, jid, occupant_id;
  const Client* client;
  std::int64_t joined, left;
  bool owner;
};

// COPY text format: backslash, tab, newline, CR escaped.
void put(FILE* f, const std::string& s) {
  for (char c : s) {
    switch (c) {
      case '\\': std::fputs("\\\\", f); break;
      case '\t': std::fputs("\\t", f); break;
      case '\n': std::fputs("\\n", f); break;
      case '\r': std::fputs("\\r", f); break;
      default: std::fputc(c, f);
    }
  }
}
void field(FILE* f, const std::string& s, bool last = false) {
  if (s.empty()) std::fputs("\\N", f);
  else put(f, s);
  std::fputc(last ? '\n' : '\t', f);
}

std::int64_t parse_day(const char* s) {  // YYYY-MM-DD, midnight UTC; -1 when not a date
  return mucstream::core::parse_time(std::string(s) + "T00:00:00Z").value_or(-1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR EVENTS [DAYS=30] [START=2026-10-15]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const long long target = std::atoll(argv[2]);
  const int days = argc > 3 ? std::atoi(argv[3]) : 30;
  const std::int64_t start = parse_day(argc > 4 ? argv[4] : "2026-10-15");
  if (target <= 0 || days <= 0 || start < 0) {
    std::fprintf(stderr, "bad arguments\n");
    return 2;
  }
  FILE* fe = std::fopen((dir + "/events.copy").c_str(), "w");
  FILE* fr = std::fopen((dir + "/rooms.copy").c_str(), "w");
  FILE* fu = std::fopen((dir + "/users.copy").c_str(), "w");
  if (!fe || !fr || !fu) {
    std::perror("open");
    return 1;
  }
  const std::int64_t span = static_cast<std::int64_t>(days) * 86'400'000;
  long long n_events = 0, n_users = 0, n_rooms = 0;
  const std::int64_t min_ms = 60'000;
  const char* payloads[] = {"<body>hi all</body>", "<body>can you hear me?</body>",
                            "<body>sharing my screen now</body>", "<body>let's wait two more minutes</body>",
                            "<body>sorry, the connection dropped</body><active xmlns='http://jabber.org/protocol/chatstates'/>",
                            "<body>link: https://example.org/doc/q4-plan</body>"};

  // Rooms until the target is reached (a room's events are never cut short).
  while (n_events < target) {
    // Rooms spread over the period, more in working hours (UTC 07-18).
    std::int64_t created;
    do {
      created = start + static_cast<std::int64_t>(uniform(0, static_cast<double>(span - 4 * 3'600'000)));
    } while ((created / 3'600'000) % 24 < 7 && chance(0.7));
    const std::string room_id = uuid7(created);
    const std::string name = "meet-" + hex(5);
    const std::string jid = name + "@rooms.example.org";
    std::vector<Ev> ev;
    std::vector<Session> ss;
    const int n_sessions = between(2, 6);
    const std::int64_t length = static_cast<std::int64_t>(uniform(5, 120) * min_ms);
    for (int i = 0; i < n_sessions; ++i) {
      Session s;
      s.joined = i == 0 ? created : created + static_cast<std::int64_t>(uniform(0.05, 8) * min_ms);
      s.left = i == 0 ? created + length : std::max(s.joined + 30'000, created + length - static_cast<std::int64_t>(uniform(0, 0.5) * length));
      s.id = uuid7(s.joined);
      s.user = "user" + std::to_string(between(1, 40000)) + "@example.org";
      s.nick = "User " + std::to_string(i + 1);
      s.client = &kClients[between(0, 5)];
      s.jid = s.user + "/" + s.client->type + "-" + hex(3);
      s.occupant_id = hex(16);
      s.owner = i == 0;
      ss.push_back(s);
    }
    const Session& owner = ss[0];
    ev.push_back({created, "room_created", owner.id, "",
                  "{\"creator\":\"" + owner.user + "\",\"config\":{\"name\":\"" + name +
                      "\",\"persistent\":false,\"public\":true,\"members_only\":false,\"moderated\":false,"
                      "\"whois\":\"moderators\",\"max_occupants\":0,\"history_length\":20},"
                      "\"awaiting_configuration\":true,\"occupant_id_salt\":\"" + hex(16) + "\"}"});
    ev.push_back({created + 900, "room_configured", owner.id, "", "{\"config\":{\"name\":\"" + name + "\"},\"by\":\"" + owner.user + "\"}"});
    for (const Session& s : ss) {
      ev.push_back({s.joined, "occupant_joined", s.id, "",
                    "{\"nick\":\"" + s.nick + "\",\"jid\":\"" + s.jid + "\",\"bare_jid\":\"" + s.user + "\",\"role\":\"" +
                        (s.owner ? "moderator" : "participant") + "\",\"affiliation\":\"" + (s.owner ? "owner" : "none") +
                        "\",\"occupant_id\":\"" + s.occupant_id + "\",\"client\":{\"type\":\"" + s.client->type +
                        "\",\"os\":\"" + s.client->os + "\",\"browser\":\"" + s.client->browser + "\",\"useragent\":\"" +
                        s.client->useragent + "\"}}"});
      ev.push_back({s.left, "occupant_left", s.id, "", "{\"nick\":\"" + s.nick + "\",\"reason\":\"left\"}"});
      // Chat.
      const int msgs = between(2, 40);
      for (int m = 0; m < msgs; ++m) {
        const std::int64_t t = s.joined + static_cast<std::int64_t>(uniform(0, static_cast<double>(s.left - s.joined)));
        ev.push_back({t, "message_sent", s.id, "",
                      "{\"nick\":\"" + s.nick + "\",\"occupant_id\":\"" + s.occupant_id + "\",\"jid\":\"" + s.jid +
                          "\",\"payload\":\"" + payloads[between(0, 5)] + "\"}"});
      }
      // Media state changes.
      for (const char* kind : {"audio", "video"}) {
        const int pauses = between(0, 4);
        for (int p = 0; p < pauses; ++p) {
          const std::int64_t t = s.joined + static_cast<std::int64_t>(uniform(0, 0.8) * static_cast<double>(s.left - s.joined));
          const std::int64_t back = t + static_cast<std::int64_t>(uniform(5, 300) * 1000);
          if (back >= s.left) continue;
          ev.push_back({t, kind[0] == 'a' ? "audio_paused" : "video_paused", s.id, "", "{}"});
          ev.push_back({back, kind[0] == 'a' ? "audio_resumed" : "video_resumed", s.id, "", "{}"});
        }
      }
    }
    // P2P sessions between pairs of the first four sessions, with periodic stats. The
    // stats interval is chosen so that a room lands near 500 events.
    std::vector<std::pair<int, int>> pairs;
    for (int i = 0; i < std::min(n_sessions, 4); ++i)
      for (int j = i + 1; j < std::min(n_sessions, 4); ++j) pairs.emplace_back(i, j);
    std::int64_t p2p_ms = 0;
    for (auto [i, j] : pairs) p2p_ms += std::max<std::int64_t>(0, std::min(ss[i].left, ss[j].left) - std::max(ss[i].joined, ss[j].joined));
    const long long budget = std::max<long long>(10, 500 - static_cast<long long>(ev.size()) - 2 * static_cast<long long>(pairs.size()));
    const std::int64_t interval = std::clamp<std::int64_t>(p2p_ms / budget, 5'000, 600'000);
    for (auto [i, j] : pairs) {
      const std::int64_t from = std::max(ss[i].joined, ss[j].joined) + between(1000, 8000);
      const std::int64_t to = std::min(ss[i].left, ss[j].left);
      if (to <= from + 2000) continue;
      const std::string sid = hex(8);
      const bool relay = chance(0.15);
      ev.push_back({from, "p2p_session_started", ss[i].id, ss[j].id,
                    "{\"sid\":\"" + sid + "\",\"media\":[\"audio\",\"video\"]}"});
      const bool failed = chance(0.05);
      ev.push_back({to, "p2p_session_ended", ss[i].id, ss[j].id,
                    "{\"sid\":\"" + sid + "\",\"reason\":\"" + (failed ? "connectivity-error" : "left") +
                        "\",\"duration_ms\":" + std::to_string(to - from) + "}"});
      const double base_rtt = relay ? uniform(60, 180) : uniform(8, 90);
      for (std::int64_t t = from + interval; t < to; t += interval) {
        char b[400];
        std::snprintf(b, sizeof b,
                      "{\"sid\":\"%s\",\"rtt_ms\":%.1f,\"jitter_ms\":%.1f,\"packet_loss\":%.4f,\"bitrate_in\":%d,"
                      "\"bitrate_out\":%d,\"resolution\":\"%s\",\"fps\":%d,\"local_candidate_type\":\"%s\","
                      "\"remote_candidate_type\":\"%s\"}",
                      sid.c_str(), base_rtt * uniform(0.8, 1.6), uniform(1, 30), chance(0.8) ? uniform(0, 0.01) : uniform(0.01, 0.08),
                      between(300, 2500) * 1000, between(300, 2500) * 1000, chance(0.7) ? "1280x720" : "640x360",
                      between(15, 30), relay ? "relay" : "host", relay ? "relay" : (chance(0.5) ? "srflx" : "host"));
        ev.push_back({t, "p2p_session_stats", ss[i].id, ss[j].id, b});
      }
    }
    std::int64_t ended = created;
    for (const Session& s : ss) ended = std::max(ended, s.left);
    ev.push_back({ended, "room_destroyed", "", "", "{\"reason\":\"empty\",\"alternate\":\"\"}"});
    std::stable_sort(ev.begin(), ev.end(), [](const Ev& a, const Ev& b) { return a.ms < b.ms; });
    // room_destroyed last even when it ties with the last leave.
    std::stable_partition(ev.begin(), ev.end(), [](const Ev& e) { return std::string(e.type) != "room_destroyed"; });
    long long seq = 0;
    for (const Ev& e : ev) {
      field(fe, uuid7(e.ms));
      field(fe, ts(e.ms));
      field(fe, e.type);
      field(fe, jid);
      field(fe, room_id);
      field(fe, std::to_string(++seq));
      field(fe, e.actor);
      field(fe, e.peer);
      field(fe, e.data, true);
    }
    n_events += seq;
    ++n_rooms;
    // rooms: id name jid created ended ended_reason creator persistent locked config last_seq last_event event_count
    field(fr, room_id); field(fr, name); field(fr, jid); field(fr, ts(created)); field(fr, ts(ended));
    field(fr, "empty"); field(fr, owner.user); field(fr, "f"); field(fr, "f");
    field(fr, "{\"name\":\"" + name + "\",\"persistent\":false}"); field(fr, std::to_string(seq));
    field(fr, ts(ended)); field(fr, std::to_string(seq), true);
    // users: sessionid userid room_id nick jid role affiliation occupant_id type os browser useragent created ended ended_reason
    for (const Session& s : ss) {
      field(fu, s.id); field(fu, s.user); field(fu, room_id); field(fu, s.nick); field(fu, s.jid);
      field(fu, s.owner ? "moderator" : "participant"); field(fu, s.owner ? "owner" : "none"); field(fu, s.occupant_id);
      field(fu, s.client->type); field(fu, s.client->os); field(fu, s.client->browser); field(fu, s.client->useragent);
      field(fu, ts(s.joined)); field(fu, ts(s.left)); field(fu, "left", true);
      ++n_users;
    }
  }
  std::fclose(fe);
  std::fclose(fr);
  std::fclose(fu);
  std::printf("events=%lld rooms=%lld users=%lld\n", n_events, n_rooms, n_users);
  return 0;
}
