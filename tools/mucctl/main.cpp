// mucctl: the mucstream admin CLI. Reads the HTTP API (rooms, users, events) and makes API
// tokens. Run `mucctl --help`.
#include <httplib.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <CLI/CLI.hpp>
#include <toml++/toml.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "analytics/auth.hpp"
#include "analytics/json.hpp"
#include "analytics/params.hpp"
#include "tools/common/version.hpp"
#include "tools/mucctl/cli.hpp"
#include "tools/mucctl/output.hpp"

namespace an = mucstream::analytics;
using namespace mucstream::tools::mucctl;

namespace {

constexpr const char* kMainUsage = R"(usage: mucctl [options] COMMAND ...

Commands:
  token create   print a signed API token (no server needed; --role client for telemetry)
  rooms list     rooms, newest first, with filters and paging
  rooms show     one room and its report (peaks, participants, call time, P2P outcomes)
  rooms create|set|lock|unlock|destroy|kick|ban|affiliation|occupants
                 live room administration (admin token; served by mucstreamd all)
  rooms destroy-empty|destroy-unused
                 destroy the rooms nobody is in that hold no message / were not used
                 for N days (--dry-run lists them)
  users show     one occupant session
  users rooms    the rooms a person took part in, with each room's latest message
  messages list  a room's messages, newest first or after a message id
  messages post  a message from the service into a live room (admin or service token)
  report summary a period in numbers: rooms, durations, peak occupancy, messages, sessions
  report rooms   rooms created in a period with their calls (P2P sessions, failures, call time)
  report p2p     P2P call quality of a period: outcomes, relayed share, rtt, jitter, packet loss
  report media   time paused (audio, video) and screen sharing per occupant session
  migrate        apply the missing SQL migrations to PostgreSQL (--pg; no API needed)
  purge          retention: drop old event partitions, clear old bodies and personal fields (--pg)
  users forget   forget one person (bare JID) everywhere in PostgreSQL (--pg)
  events tail    the newest events, and with --follow new ones as they arrive

Options (valid with every command):
  --url URL        API base URL       (env MUCCTL_URL, config `url`; default http://127.0.0.1:8080)
  --token TOKEN    API bearer token   (env MUCCTL_TOKEN, config `token`)
  --config FILE    TOML config file with url, token, jwt_secret, pg
                   (default: $MUCCTL_CONFIG, else ~/.config/mucctl/config.toml when present)
  --json           JSON output (events tail: one JSON object per line)
  --csv            CSV output with a header line
  --timeout SECS   network timeout (default 10)
  --domain D       the MUC domain a room's local part is of (a service with several domains;
                   default: admin commands the service's first, reads the one domain that
                   has such a room); rooms list: only D's rooms
  -h, --help       help for mucctl or for the command given
  --version        print mucctl's version

Exit status: 0 ok, 1 the API refused or failed the request (also a change the room
already had, such as locking a locked room: HTTP 409), 2 usage error, 3 the API cannot be
reached, 4 missing, bad or insufficient token (HTTP 401/403).
Run `mucctl COMMAND SUBCOMMAND --help` for a command's options.)";

const std::vector<Option> kGlobal = {{"url", true},  {"token", true},   {"config", true}, {"json", false},
                                     {"csv", false}, {"timeout", true}, {"domain", true}, {"help", false}};

std::string shorten(std::string s, std::size_t n) {
  if (s.size() <= n) return s;
  s.resize(n - 3);
  while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();  // whole code points
  if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0) s.pop_back();
  return s + "...";
}

// ---------- commands ----------

int cmd_token_create(Context& ctx) {
  const auto role = an::parse_role(ctx.get("role").value_or(""));
  if (!role) throw UsageError("--role must be analyst, admin, client, user or service");
  if (*role == an::Role::user && !an::is_user_subject(ctx.get("subject").value_or("")))
    throw UsageError("--role user needs --subject JID: a user token speaks for one person (bare JID)");
  const std::string session = ctx.get("session").value_or("");
  const std::string room_id = ctx.get("room-id").value_or("");
  if (*role == an::Role::client && session.empty())
    throw UsageError("--role client needs --session ID: a client token speaks for one occupant session");
  if (*role != an::Role::client && (!session.empty() || !room_id.empty()))
    throw UsageError("--session and --room-id are for --role client");
  const bool content = ctx.has("content");
  if (content && *role != an::Role::analyst)
    throw UsageError("--content is for --role analyst (admin and service tokens read content anyway)");
  const std::string tenant = ctx.get("tenant").value_or("");
  if (ctx.get("tenant") && !an::is_tenant_domain(tenant))
    throw UsageError("--tenant must be a MUC domain such as rooms.example.org");
  const auto ttl = an::parse_duration_seconds(ctx.get("ttl").value_or("1h"));
  if (!ttl) throw UsageError("--ttl must be a duration such as 90s, 15m, 1h or 7d");
  if (auto s = ctx.get("jwt-secret")) ctx.jwt_secret = *s;
  if (ctx.jwt_secret.empty())
    throw UsageError("no JWT secret: pass --jwt-secret, set MUCSTREAM_JWT_SECRET, or put jwt_secret in the config file");
  const std::int64_t now = an::unix_now();
  const std::string tok = *role == an::Role::client
                              ? an::create_client_token(ctx.jwt_secret, session, room_id, *ttl, now, tenant)
                              : an::create_token(ctx.jwt_secret, *role, *ttl, now, ctx.get("subject").value_or(""),
                                                 tenant, content);
  const std::string expires = an::format_rfc3339((now + *ttl) * 1000000);
  if (ctx.format == Format::json) {
    an::JsonOut j;
    j.begin_object().key("token").str(tok).key("role").str(an::role_name(*role)).key("expires").str(expires);
    if (!session.empty()) j.key("session").str(session);
    if (!room_id.empty()) j.key("room_id").str(room_id);
    if (!tenant.empty()) j.key("tenant").str(tenant);
    if (content) j.key("content").boolean(true);
    print(j.end_object().take() + "\n");
  } else if (ctx.format == Format::csv) {
    print("token,role,expires\n" + tok + "," + an::role_name(*role) + "," + expires + "\n");
  } else {
    print(tok + "\n");
  }
  return kOk;
}

int cmd_rooms_list(Context& ctx) {
  if (ctx.has("active") && ctx.has("ended")) throw UsageError("--active and --ended exclude each other");
  std::vector<std::pair<std::string, std::string>> q;
  if (ctx.has("active")) q.emplace_back("active", "true");
  if (ctx.has("ended")) q.emplace_back("active", "false");
  for (const char* o : {"name", "since", "until", "domain"})
    if (auto v = ctx.get(o)) q.emplace_back(o, *v);
  if (ctx.get("domain")) room_arg(ctx, "");  // checks --domain before asking
  if (auto v = ctx.get("page")) q.emplace_back("page", *v);
  if (auto v = ctx.get("per-page")) q.emplace_back("per_page", *v);
  Api api(ctx);
  std::string raw;
  const rapidjson::Document doc = api.get("/v1/rooms", q, &raw);
  if (ctx.format == Format::json) {
    print(raw + "\n");
    return kOk;
  }
  Table t;
  t.columns = {"ID", "NAME", "JID", "CREATED", "ENDED", "ACTIVE", "OCCUPANTS", "EVENTS"};
  if (ctx.format == Format::csv) t.columns = {"id", "name", "jid", "created", "ended", "active", "occupants", "event_count"};
  for (const auto& r : doc["items"].GetArray())
    t.rows.push_back({cell(r, "id"), cell(r, "name"), cell(r, "jid"), cell(r, "created"), cell(r, "ended"),
                      cell(r, "active"), cell(r, "occupants"), cell(r, "event_count")});
  print_rows(ctx, t);
  if (ctx.format == Format::table) {
    const auto total = doc["total"].GetInt64(), page = doc["page"].GetInt64(), per = doc["per_page"].GetInt64();
    const auto pages = std::max<std::int64_t>(1, (total + per - 1) / per);
    print("page " + std::to_string(page) + " of " + std::to_string(pages) + ", " + std::to_string(total) +
          (total == 1 ? " room" : " rooms") + (ctx.has("domain") ? " of " + *ctx.get("domain") : std::string()) + "\n");
  }
  return kOk;
}

int show_record(Context& ctx, const std::string& path, const std::vector<std::string>& fields) {
  Api api(ctx);
  std::string raw;
  const auto doc = api.get(path, {}, &raw);
  if (ctx.format == Format::json) {
    print(raw + "\n");
    return kOk;
  }
  std::vector<std::string> values;
  for (const auto& f : fields) values.push_back(cell(doc, f.c_str()));
  if (ctx.format == Format::csv) {
    print(render_csv(Table{fields, {values}}));
  } else {
    print(render_table(vertical(fields, values)));
  }
  return kOk;
}

std::string path_id(const Context& ctx, const char* what) {
  const auto id = an::parse_uuid(ctx.args.at(0));
  if (!id) throw UsageError(std::string(what) + " must be a UUID (got '" + ctx.args.at(0) + "')");
  return *id;
}


int cmd_users_show(Context& ctx) {
  return show_record(ctx, "/v1/users/" + path_id(ctx, "SESSION_ID"),
                     {"sessionid", "userid", "nick", "room_id", "jid", "role", "affiliation", "type", "os", "browser",
                      "useragent", "created", "ended", "ended_reason", "active"});
}

int cmd_events_tail(Context& ctx) {
  std::vector<std::pair<std::string, std::string>> filters;
  for (const char* o : {"room", "type", "actor"})
    if (auto v = ctx.get(o)) filters.emplace_back(o, std::string(o) == "room" ? room_arg(ctx, *v) : *v);
  long lines = 10;
  if (auto v = ctx.get("lines")) {
    char* end = nullptr;
    lines = std::strtol(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || lines < 0 || lines > 1000) throw UsageError("--lines must be 0..1000");
  }
  double interval = 1.0;
  if (auto v = ctx.get("interval")) {
    char* end = nullptr;
    interval = std::strtod(v->c_str(), &end);
    if (v->empty() || *end != '\0' || !(interval >= 0.05 && interval <= 3600))
      throw UsageError("--interval must be between 0.05 and 3600 seconds");
  }
  const bool follow = ctx.has("follow");
  Api api(ctx);

  Table t;
  t.columns = {"TIME", "TYPE", "ROOM", "SEQ", "ACTOR", "PEER", "DATA"};
  if (ctx.format == Format::csv) t.columns = {"time", "type", "room", "seq", "actor", "peer", "data", "id", "room_id"};
  bool header_done = false;
  auto emit = [&](const std::vector<const rapidjson::Value*>& items) {
    if (ctx.format == Format::json) {
      std::string out;
      for (const auto* e : items) out += json_text(*e) + "\n";
      print(out);
      return;
    }
    Table batch{t.columns, {}};
    for (const auto* e : items) {
      if (ctx.format == Format::csv)
        batch.rows.push_back({cell(*e, "time"), cell(*e, "type"), cell(*e, "room"), cell(*e, "seq"), cell(*e, "actor"),
                              cell(*e, "peer"), cell(*e, "data"), cell(*e, "id"), cell(*e, "room_id")});
      else
        batch.rows.push_back({cell(*e, "time"), cell(*e, "type"), cell(*e, "room"), cell(*e, "seq"), cell(*e, "actor"),
                              cell(*e, "peer"), shorten(cell(*e, "data"), 60)});
    }
    if (ctx.format == Format::csv) {
      print(render_csv(batch, !header_done));
    } else {
      // Tables of a follow stream cannot align with rows not yet seen: one table per batch,
      // the header only once.
      std::string text = render_table(batch);
      if (header_done) text = text.substr(text.find('\n') + 1);
      print(text);
    }
    header_done = true;
  };

  // The newest `lines` events, oldest first; their newest position is where following starts.
  std::string cursor;
  std::optional<std::string> since = ctx.get("since");
  if (since) {
    if (!an::parse_rfc3339(*since)) throw UsageError("--since must be an RFC 3339 time, e.g. 2026-11-22T03:00:00Z");
  } else {
    auto q = filters;
    q.emplace_back("order", "desc");
    q.emplace_back("limit", std::to_string(std::max(lines, 1L)));
    const auto doc = api.get("/v1/events", q);
    std::vector<const rapidjson::Value*> items;
    for (const auto& e : doc["items"].GetArray()) items.insert(items.begin(), &e);
    if (lines > 0) emit(items);
    if (doc["prev_cursor"].IsString()) cursor = doc["prev_cursor"].GetString();
    if (!follow) {
      if (!header_done && ctx.format != Format::json) emit({});
      return kOk;
    }
  }
  // From --since, or after the newest event seen: oldest first, page by page, polling.
  while (true) {
    auto q = filters;
    if (!cursor.empty()) q.emplace_back("cursor", cursor);
    else if (since) q.emplace_back("since", *since);
    q.emplace_back("limit", "500");
    const auto doc = api.get("/v1/events", q);
    std::vector<const rapidjson::Value*> items;
    for (const auto& e : doc["items"].GetArray()) items.push_back(&e);
    if (!items.empty()) {
      emit(items);
      cursor = doc["next_cursor"].GetString();
    }
    const bool more = doc["has_more"].GetBool();
    if (!follow && !more) {
      if (!header_done && ctx.format != Format::json) emit({});
      return kOk;
    }
    if (!more) std::this_thread::sleep_for(std::chrono::duration<double>(interval));
  }
}

std::string room_path(const Context& ctx, const char* action) {
  return "/v1/admin/rooms/" + percent(room_arg(ctx, ctx.args.at(0))) + "/" + action;
}

int cmd_rooms_create(Context& ctx) {
  const auto owner = ctx.get("owner");
  if (!owner) throw UsageError("--owner JID is required (the bare JID that owns the room)");
  an::JsonOut b;
  b.begin_object().key("room").str(room_arg(ctx, ctx.args.at(0))).key("owner").str(*owner);
  if (ctx.has("title") || ctx.has("persistent") || ctx.has("members-only")) {
    b.key("config").begin_object().member_if("name", ctx.get("title"));
    if (ctx.has("persistent")) b.key("persistent").boolean(true);
    if (ctx.has("members-only")) b.key("members_only").boolean(true);
    b.end_object();
  }
  return admin_call(ctx, "/v1/admin/rooms", b.end_object().take());
}
int cmd_rooms_lock(Context& ctx) { return admin_call(ctx, room_path(ctx, "lock"), "{}"); }
int cmd_rooms_unlock(Context& ctx) { return admin_call(ctx, room_path(ctx, "unlock"), "{}"); }
int cmd_rooms_destroy(Context& ctx) {
  an::JsonOut b;
  b.begin_object().member_if("reason", ctx.get("reason")).member_if("alternate", ctx.get("alternate"));
  if (ctx.has("purge")) b.key("purge").boolean(true);
  b.end_object();
  return admin_call(ctx, room_path(ctx, "destroy"), b.take());
}
int cmd_rooms_kick(Context& ctx) {
  an::JsonOut b;
  b.begin_object().key("nick").str(ctx.args.at(1)).member_if("reason", ctx.get("reason")).end_object();
  return admin_call(ctx, room_path(ctx, "kick"), b.take());
}
int cmd_rooms_ban(Context& ctx) {
  an::JsonOut b;
  b.begin_object().key("jid").str(ctx.args.at(1)).member_if("reason", ctx.get("reason")).end_object();
  return admin_call(ctx, room_path(ctx, "ban"), b.take());
}

int cmd_rooms_affiliation(Context& ctx) {
  an::JsonOut b;
  b.begin_object().key("jid").str(ctx.args.at(1)).key("affiliation").str(ctx.args.at(2));
  b.member_if("reason", ctx.get("reason")).end_object();
  return admin_call(ctx, room_path(ctx, "affiliation"), b.take());
}

// The client as the occupant announced it: "browser/linux/firefox" from type, os, browser.
std::string client_cell(const rapidjson::Value& client) {
  std::string out;
  for (const char* k : {"type", "os", "browser"}) {
    const std::string v = cell(client, k);
    if (v.empty()) continue;
    out += (out.empty() ? "" : "/") + v;
  }
  return out;
}

// One row per session (a nick may be held by several resources of the same user).
int cmd_rooms_occupants(Context& ctx) {
  Api api(ctx);
  std::string raw;
  const auto doc = api.get("/v1/admin/rooms/" + percent(room_arg(ctx, ctx.args.at(0))) + "/occupants", {}, &raw);
  if (ctx.format == Format::json) {
    print(raw + "\n");
    return kOk;
  }
  Table t;
  const bool csv = ctx.format == Format::csv;
  t.columns = csv ? std::vector<std::string>{"nick", "role", "affiliation", "jid", "occupant_id", "sessionid", "full_jid",
                                             "joined", "type", "os", "browser", "useragent"}
                  : std::vector<std::string>{"NICK", "ROLE", "AFFILIATION", "JID", "SESSION", "JOINED", "CLIENT"};
  for (const auto& o : doc["occupants"].GetArray()) {
    for (const auto& s : o["sessions"].GetArray()) {
      const auto& c = s["client"];
      if (csv)
        t.rows.push_back({cell(o, "nick"), cell(o, "role"), cell(o, "affiliation"), cell(o, "jid"), cell(o, "occupant_id"),
                          cell(s, "sessionid"), cell(s, "full_jid"), cell(s, "joined"), cell(c, "type"), cell(c, "os"),
                          cell(c, "browser"), cell(c, "useragent")});
      else
        t.rows.push_back({cell(o, "nick"), cell(o, "role"), cell(o, "affiliation"), cell(o, "jid"), cell(s, "sessionid"),
                          cell(s, "joined"), client_cell(c)});
    }
  }
  print_rows(ctx, t);
  if (ctx.format == Format::table) {
    const auto n = doc["count"].GetInt64();
    print(std::to_string(n) + (n == 1 ? " occupant in " : " occupants in ") + cell(doc, "room") +
          (doc["locked"].GetBool() ? " (locked)\n" : "\n"));
  }
  return kOk;
}

constexpr const char* kLiveNote =
    "\n\nLive administration (admin token) is served by the process that owns the rooms\n"
    "(mucstreamd all). ROOM is the live room's id, local part or bare JID. Prints the events the\n"
    "room service decided; a refusal exits 1 with the API's message, and so does a change the\n"
    "room already had (locking a locked room, banning a banned JID: HTTP 409).";

const std::vector<Command> kBaseCommands = {
    {"token", "create",
     "usage: mucctl token create --role analyst|admin|service [--content] [--tenant DOMAIN] [--ttl DURATION]\n"
     "                           [--subject NAME] [--jwt-secret SECRET]\n"
     "       mucctl token create --role user --subject JID [--tenant DOMAIN] [--ttl DURATION] [--jwt-secret SECRET]\n"
     "       mucctl token create --role client --session ID [--room-id ID] [--tenant DOMAIN] [--ttl DURATION]\n"
     "                           [--jwt-secret SECRET]\n\n"
     "Prints an HS256 API token signed with the secret mucstreamd verifies with, so that\n"
     "  TOKEN=$(mucctl token create --role analyst --ttl 1h)\n"
     "works in a script. analyst reads numbers, and with --content also message bodies, real\n"
     "JIDs and user agents; admin reads everything and manages rooms; client only reports\n"
     "telemetry (POST /v1/telemetry) for one occupant session; service reads like analyst\n"
     "and posts messages into rooms; user reads the messages of the rooms one person (the\n"
     "subject, a bare JID) was in or belongs to, and that person's conversations.\n\n"
     "  --role ROLE          analyst, admin, client, user or service (required)\n"
     "  --content            analyst: also read message bodies, real JIDs and user agents\n"
     "  --ttl DURATION       lifetime: 90s, 15m, 1h, 7d (default 1h)\n"
     "  --subject NAME       sub claim, e.g. who the token is for (user: their bare JID)\n"
     "  --session ID         client: the occupant session id the token speaks for (required)\n"
     "  --room-id ID         client: limit the token to this room id\n"
     "  --tenant DOMAIN      limit the token to one tenant, a MUC domain (rooms.acme.example):\n"
     "                       it sees that domain's rooms, sessions and events only, on every route\n"
     "  --jwt-secret SECRET  signing secret (env MUCSTREAM_JWT_SECRET, config jwt_secret)",
     {{"role", true}, {"content", false}, {"ttl", true}, {"subject", true}, {"session", true}, {"room-id", true},
      {"tenant", true},
      {"jwt-secret", true}},
     0, cmd_token_create},
    {"rooms", "list",
     "usage: mucctl rooms list [--active|--ended] [--name NAME] [--since TIME] [--until TIME]\n"
     "                         [--page N] [--per-page N]\n\n"
     "Rooms newest first (GET /v1/rooms). Times are RFC 3339, e.g. 2026-11-22T03:00:00Z.\n\n"
     "  --active / --ended   only rooms still open / only ended rooms\n"
     "  --name NAME          rooms whose local part is NAME (one per meeting of that JID)\n"
     "  --since / --until    created at or after / before\n"
     "  --page N, --per-page N   paging (default 1, 50)\n"
     "  --domain D           only rooms of the MUC domain D (filtered by the server)",
     {{"active", false}, {"ended", false}, {"name", true}, {"since", true}, {"until", true}, {"page", true},
      {"per-page", true}},
     0, cmd_rooms_list},
    {"rooms", "show",
     "usage: mucctl rooms show ROOM\n\nOne room (GET /v1/rooms/{id}) and its room report: peaks, participants and their\n"
     "time, initial wait, usable call time, P2P sessions and how they ended. ROOM is the room's id,\n"
     "bare JID or local part; a JID used by several rooms over time means the live one, else the\n"
     "latest. A local part that several MUC domains have is refused (409): give the JID or --domain.\n"
     "--csv adds the report's figures (report_*, milliseconds) to the room's row.",
     {}, 1, cmd_rooms_show},
    {"rooms", "create",
     "usage: mucctl rooms create ROOM --owner JID [--title TEXT] [--persistent] [--members-only]\n\n"
     "Creates a live room owned by JID, before anyone joins (POST /v1/admin/rooms).",
     {{"owner", true}, {"title", true}, {"persistent", false}, {"members-only", false}}, 1, cmd_rooms_create},
    {"rooms", "lock",
     "usage: mucctl rooms lock ROOM\n\nLocks a live room: only owners, admins and members may join.\n"
     "A room already locked is an error (exit 1, HTTP 409) saying so.",
     {}, 1, cmd_rooms_lock},
    {"rooms", "unlock",
     "usage: mucctl rooms unlock ROOM\n\nUnlocks a live room. A room that is not locked is an error (exit 1, HTTP 409).",
     {}, 1, cmd_rooms_unlock},
    {"rooms", "destroy",
     "usage: mucctl rooms destroy ROOM [--reason TEXT] [--alternate ROOM_JID] [--purge]\n\n"
     "Destroys a live room; occupants are told the reason (and the alternate venue).\n"
     "  --purge   also remove the room's message bodies from PostgreSQL (events stay, without bodies)",
     {{"reason", true}, {"alternate", true}, {"purge", false}}, 1, cmd_rooms_destroy},
    {"rooms", "kick", "usage: mucctl rooms kick ROOM NICK [--reason TEXT]\n\nKicks the occupant NICK (status 307).",
     {{"reason", true}}, 2, cmd_rooms_kick},
    {"rooms", "ban",
     "usage: mucctl rooms ban ROOM JID [--reason TEXT]\n\nBans a bare JID (outcast); its sessions leave with status 301.",
     {{"reason", true}}, 2, cmd_rooms_ban},
    {"rooms", "affiliation",
     "usage: mucctl rooms affiliation ROOM JID AFFILIATION [--reason TEXT]\n\n"
     "Sets a bare JID's affiliation: owner, admin, member, none or outcast.",
     {{"reason", true}}, 3, cmd_rooms_affiliation},
    {"rooms", "occupants",
     "usage: mucctl rooms occupants ROOM\n\n"
     "The occupants of a live room, read from the process that owns it: nick, role,\n"
     "affiliation, bare JID, one line per session (talky session id, joined time, client).",
     {}, 1, cmd_rooms_occupants},
    {"users", "show", "usage: mucctl users show SESSION_ID\n\nOne occupant session (GET /v1/users/{sessionid}).", {}, 1,
     cmd_users_show},
    {"events", "tail",
     "usage: mucctl events tail [--room ROOM] [--type TYPE[,TYPE]] [--actor SESSION_ID]\n"
     "                          [--lines N] [--since TIME] [-f|--follow] [--interval SECONDS]\n\n"
     "Prints the newest events oldest first (GET /v1/events); with --follow keeps polling with\n"
     "the cursor and prints new events as they arrive, until interrupted.\n\n"
     "  --room ROOM          room id (one lifetime), bare room JID or local part (every\n"
     "                       lifetime of that JID)\n"
     "  --type TYPES         comma-separated event types\n"
     "  --actor SESSION_ID   events of one occupant session\n"
     "  --lines N            how many of the newest events to print first (default 10)\n"
     "  --since TIME         instead: every event from TIME on\n"
     "  -f, --follow         keep following\n"
     "  --interval SECONDS   polling interval when following (default 1)",
     {{"room", true}, {"type", true}, {"actor", true}, {"lines", true}, {"since", true}, {"follow", false},
      {"interval", true}},
     0, cmd_events_tail},
};

// Every command: the ones above, then those of report.cpp and migrate.cpp.
const std::vector<Command>& all_commands() {
  static const std::vector<Command> all = [] {
    std::vector<Command> v = kBaseCommands;
    for (const auto* more : {&report_commands(), &migrate_commands(), &message_commands(), &room_option_commands(),
                             &room_sweep_commands(), &lifecycle_commands()})
      v.insert(v.end(), more->begin(), more->end());
    return v;
  }();
  return all;
}

std::string group_usage(const std::string& group) {
  std::string out = "usage: mucctl " + group + " SUBCOMMAND [options]\n\nSubcommands:\n";
  for (const auto& c : all_commands())
    if (group == c.group) out += std::string("  ") + c.name + "\n";
  return out + "\nRun `mucctl " + group + " SUBCOMMAND --help` for its options.";
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

// Settings from the config file; flags and environment override them.
void load_config(Context& ctx, const std::optional<std::string>& flag_path) {
  std::string path = flag_path.value_or(env("MUCCTL_CONFIG"));
  bool required = !path.empty();
  if (path.empty()) {
    const std::string xdg = env("XDG_CONFIG_HOME"), home = env("HOME");
    if (!xdg.empty()) path = xdg + "/mucctl/config.toml";
    else if (!home.empty()) path = home + "/.config/mucctl/config.toml";
    if (path.empty() || !std::filesystem::exists(path)) return;
  }
  if (required && !std::filesystem::exists(path)) throw UsageError("config file " + path + " does not exist");
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw UsageError("config file " + path + ": " + std::string(e.description()));
  }
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (key != "url" && key != "token" && key != "jwt_secret" && key != "pg")
      throw UsageError("config file " + path + ": unknown key '" + key + "' (known: url, token, jwt_secret, pg)");
    if (!v.is_string()) throw UsageError("config file " + path + ": " + key + " must be a string");
  }
  if (auto v = t["url"].value<std::string>()) ctx.url = *v;
  if (auto v = t["token"].value<std::string>()) ctx.token = *v;
  if (auto v = t["jwt_secret"].value<std::string>()) ctx.jwt_secret = *v;
  if (auto v = t["pg"].value<std::string>()) ctx.pg = *v;
}

// The command line, parsed by CLI11: the global options on the root, a subcommand per group
// and one per command under it (a command without a subcommand name, migrate, is its group)
// with its options and its required arguments (taken first, so a room named "report" stays an
// argument). Commands fall through to the root, so global options may come before or after
// the command words; what no option takes (extra words, unknown options) is left in
// remaining() and checked here once the command is known, so each mistake names its command.
int run(int argc, char** argv) {
  Context ctx;
  CLI::App app;
  app.set_help_flag();
  app.allow_extras();
  app.fallthrough();  // inherited by the subcommands made below
  bool help = false, version = false;
  app.add_flag("-h,--help", help);
  app.add_flag("--version", version);
  std::vector<std::pair<const CLI::Option*, std::string>> declared;  // read into ctx.opts after parsing
  const auto add = [&declared](CLI::App& on, const Option& o) {
    const std::string names = "--" + std::string(o.name) + (std::string(o.name) == "follow" ? ",-f" : "");
    CLI::Option* opt = o.value ? on.add_option(names)->type_name("VALUE")
                                     ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)  // twice: refused below
                               : on.add_flag(names);
    declared.emplace_back(opt, o.name);
  };
  for (const auto& o : kGlobal)
    if (std::string(o.name) != "help") add(app, o);
  std::map<const CLI::App*, const Command*> commands;
  std::map<const CLI::App*, const CLI::Option*> arguments;
  std::map<std::string, CLI::App*> groups;
  for (const auto& c : all_commands()) {
    CLI::App*& group = groups[c.group];
    if (group == nullptr) group = app.add_subcommand(c.group);
    CLI::App* leaf = *c.name == '\0' ? group : group->add_subcommand(c.name);
    for (const auto& o : c.options) add(*leaf, o);
    if (c.positional > 0)
      arguments[leaf] = leaf->add_option("args")->expected(static_cast<int>(c.positional))->required();
    commands[leaf] = &c;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::RequiredError&) {
    // A missing argument: counted below, once --help has had its say.
  } catch (const CLI::ParseError& e) {
    throw UsageError(e.what());
  }
  if (version) {
    std::printf("mucctl %s\n", mucstream::tools::kVersion);
    return kOk;
  }
  std::vector<std::string> words, unknown;  // what no option took: positionals, unknown options
  for (std::string& w : app.remaining()) (w.size() > 1 && w[0] == '-' ? unknown : words).push_back(std::move(w));
  const auto parsed = [](const CLI::App* on) {
    return on->get_subcommands().empty() ? nullptr : on->get_subcommands().front();
  };
  const CLI::App* group = parsed(&app);
  const CLI::App* leaf = group == nullptr ? nullptr : commands.count(group) ? group : parsed(group);
  if (group == nullptr) {
    if (words.empty() || words[0] == "help") {
      std::puts(kMainUsage);
      return help || !words.empty() ? kOk : kUsage;
    }
    throw UsageError("unknown command '" + words[0] + "' (see mucctl --help)");
  }
  const std::string group_name = group->get_name();
  if (leaf == nullptr) {
    if (help) {
      std::puts(group_usage(group_name).c_str());
      return kOk;
    }
    throw UsageError(!words.empty() ? "unknown subcommand '" + group_name + " " + words[0] + "' (see mucctl " + group_name + " --help)"
                                    : "'" + group_name + "' needs a subcommand (see mucctl " + group_name + " --help)");
  }
  const Command* cmd = commands.at(leaf);
  ctx.cmd = cmd;
  if (help) {
    std::puts(cmd->usage);
    // The note is about commands on one live room; the sweeps' usage says what they need.
    if (group_name == "rooms" && cmd->positional > 0 && cmd->run != cmd_rooms_show) std::puts(kLiveNote + 1);
    std::puts("\nAlso: --url, --token, --config, --json, --csv, --timeout, --domain (see mucctl --help).");
    return kOk;
  }
  const std::string full = leaf == group ? group_name : group_name + " " + leaf->get_name();
  if (!unknown.empty())
    throw UsageError("unknown option " + unknown[0].substr(0, unknown[0].find('=')) + " for '" + full + "' (see mucctl " +
                     full + " --help)");
  for (const auto& [opt, name] : declared) {
    if (opt->count() > 1) throw UsageError("--" + name + " given twice");
    if (opt->count() == 0) continue;
    const bool is_switch = opt->get_expected_max() == 0;
    if (is_switch && opt->results().front() != "true") throw UsageError("--" + name + " takes no value");
    ctx.opts[name] = is_switch ? "" : opt->results().front();
  }
  if (auto a = arguments.find(leaf); a != arguments.end()) ctx.args = a->second->results();
  ctx.args.insert(ctx.args.end(), words.begin(), words.end());
  // A word beyond the arguments that names a command starts it: one command at a time.
  const bool two_commands = app.get_subcommands().size() > 1 || (leaf != group && group->get_subcommands().size() > 1);
  if (ctx.args.size() != cmd->positional || two_commands)
    throw UsageError("'" + full + "' takes " + std::to_string(cmd->positional) + " argument(s), got " +
                     (two_commands ? "more" : std::to_string(ctx.args.size())) + " (see --help)");
  if (ctx.has("json") && ctx.has("csv")) throw UsageError("--json and --csv exclude each other");
  ctx.format = ctx.has("json") ? Format::json : ctx.has("csv") ? Format::csv : Format::table;

  ctx.url = "http://127.0.0.1:8080";
  load_config(ctx, ctx.get("config"));
  if (!env("MUCCTL_URL").empty()) ctx.url = env("MUCCTL_URL");
  if (!env("MUCCTL_TOKEN").empty()) ctx.token = env("MUCCTL_TOKEN");
  if (!env("MUCSTREAM_JWT_SECRET").empty()) ctx.jwt_secret = env("MUCSTREAM_JWT_SECRET");
  if (!env("MUCSTREAM_PG").empty()) ctx.pg = env("MUCSTREAM_PG");
  if (auto v = ctx.get("url")) ctx.url = *v;
  if (auto v = ctx.get("token")) ctx.token = *v;
  if (auto v = ctx.get("timeout")) {
    char* end = nullptr;
    const long t = std::strtol(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || t < 1 || t > 3600) throw UsageError("--timeout must be 1..3600 seconds");
    ctx.timeout = static_cast<int>(t);
  }
  return cmd->run(ctx);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "mucctl: %s\n", e.what());
    return kUsage;
  } catch (const Exit& e) {
    std::fprintf(stderr, "mucctl: %s\n", e.what());
    return e.code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mucctl: %s\n", e.what());
    return kFailed;
  }
}
