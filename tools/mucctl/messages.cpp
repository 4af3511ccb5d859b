// mucctl messages list|post and users rooms: a room's archive and a person's conversations
// (GET /v1/rooms/{room}/messages, GET /v1/users/{jid}/rooms), and messages from the service
// into a live room (POST /v1/rooms/{room}/messages). ROOM is the room's id, JID or local part.
#include <algorithm>

#include "analytics/json.hpp"
#include "tools/mucctl/cli.hpp"

namespace mucstream::tools::mucctl {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

// The text of a message row: its body, or what it became.
std::string shown_text(const rapidjson::Value& m) {
  if (m.HasMember("retracted") && m["retracted"].IsString())
    return m["moderated"].IsBool() && m["moderated"].GetBool() ? "[removed by a moderator]" : "[retracted]";
  std::string body = cell(m, "body");
  if (m.HasMember("edited") && m["edited"].IsString()) body += " (edited)";
  return body;
}

int cmd_messages_list(Context& ctx) {
  Params q;
  for (const char* o : {"after", "before", "limit", "cursor"})
    if (auto v = ctx.get(o)) q.emplace_back(o, *v);
  Api api(ctx);
  std::string raw;
  const auto doc = api.get("/v1/rooms/" + percent(room_arg(ctx, ctx.args.at(0))) + "/messages", q, &raw);
  if (ctx.format == Format::json) {
    print(raw + "\n");
    return kOk;
  }
  Table t;
  t.columns = ctx.format == Format::csv ? std::vector<std::string>{"time", "nick", "text", "id", "edited", "retracted"}
                                        : std::vector<std::string>{"TIME", "NICK", "TEXT", "ID"};
  for (const auto& m : doc["items"].GetArray()) {
    const std::string nick = cell(m, "nick").empty() ? "(room)" : cell(m, "nick");
    if (ctx.format == Format::csv)
      t.rows.push_back({cell(m, "time"), nick, shown_text(m), cell(m, "id"), cell(m, "edited"), cell(m, "retracted")});
    else
      t.rows.push_back({cell(m, "time"), nick, shown_text(m), cell(m, "id")});
  }
  print_rows(ctx, t);
  if (ctx.format == Format::table) {
    print("room " + cell(doc, "room") + " (" + cell(doc, "room_id") + (doc["live"].GetBool() ? ", live" : ", ended") +
          "), " + (cell(doc, "order") == "newest_first" ? "newest first" : "oldest first"));
    print(doc["has_more"].GetBool() ? "; more with --cursor " + cell(doc, "next_cursor") + "\n" : "\n");
  }
  return kOk;
}

int cmd_messages_post(Context& ctx) {
  analytics::JsonOut b;
  b.begin_object().key("body").str(ctx.args.at(1)).end_object();
  Api api(ctx);
  std::string raw;
  const auto doc = api.post("/v1/rooms/" + percent(room_arg(ctx, ctx.args.at(0))) + "/messages", b.take(), &raw);
  if (ctx.format == Format::json) {
    print(raw + "\n");
    return kOk;
  }
  Table t;
  t.columns = ctx.format == Format::csv ? std::vector<std::string>{"id", "room", "room_id", "seq", "time"}
                                        : std::vector<std::string>{"ID", "ROOM", "SEQ", "TIME"};
  for (const auto& e : doc["events"].GetArray()) {
    if (ctx.format == Format::csv)
      t.rows.push_back({cell(e, "id"), cell(e, "room"), cell(e, "room_id"), cell(e, "seq"), cell(e, "time")});
    else
      t.rows.push_back({cell(e, "id"), cell(e, "room"), cell(e, "seq"), cell(e, "time")});
  }
  print_rows(ctx, t);
  return kOk;
}

int cmd_users_rooms(Context& ctx) {
  Params q;
  if (auto v = ctx.get("page")) q.emplace_back("page", *v);
  if (auto v = ctx.get("per-page")) q.emplace_back("per_page", *v);
  Api api(ctx);
  std::string raw;
  const auto doc = api.get("/v1/users/" + percent(ctx.args.at(0)) + "/rooms", q, &raw);
  if (ctx.format == Format::json) {
    print(raw + "\n");
    return kOk;
  }
  Table t;
  t.columns = ctx.format == Format::csv
                  ? std::vector<std::string>{"room", "room_id", "live", "last_activity", "latest_nick", "latest_text"}
                  : std::vector<std::string>{"ROOM", "LIVE", "LAST ACTIVITY", "LATEST MESSAGE", "ROOM ID"};
  for (const auto& r : doc["items"].GetArray()) {
    std::string nick, text;
    if (r["latest_message"].IsObject()) {
      nick = cell(r["latest_message"], "nick");
      text = shown_text(r["latest_message"]);
    }
    if (ctx.format == Format::csv)
      t.rows.push_back({cell(r, "room"), cell(r, "room_id"), cell(r, "live"), cell(r, "last_activity"), nick, text});
    else
      t.rows.push_back({cell(r, "room"), cell(r, "live"), cell(r, "last_activity"),
                        text.empty() ? "" : (nick.empty() ? "(room)" : nick) + ": " + text, cell(r, "room_id")});
  }
  print_rows(ctx, t);
  if (ctx.format == Format::table) {
    const auto total = doc["total"].GetInt64(), page = doc["page"].GetInt64(), per = doc["per_page"].GetInt64();
    const auto pages = std::max<std::int64_t>(1, (total + per - 1) / per);
    print("page " + std::to_string(page) + " of " + std::to_string(pages) + ", " + std::to_string(total) +
          (total == 1 ? " room\n" : " rooms\n"));
  }
  return kOk;
}

}  // namespace

const std::vector<Command>& message_commands() {
  static const std::vector<Command> commands = {
      {"messages", "list",
       "usage: mucctl messages list ROOM [--limit N] [--before ID | --after ID | --cursor C]\n\n"
       "A room's messages (GET /v1/rooms/{room}/messages), newest first; --after ID polls what is\n"
       "newer than a message, oldest first. Corrected messages show their current text (edited);\n"
       "retracted ones show that they were. ROOM is the room's id, bare JID or local part (a JID\n"
       "used by several rooms over time means the live one, else the latest).\n\n"
       "  --limit N     messages per page, 1..100 (default 50)\n"
       "  --before ID   older than message ID\n"
       "  --after ID    newer than message ID\n"
       "  --cursor C    the next page (next_cursor of the previous one)",
       {{"limit", true}, {"before", true}, {"after", true}, {"cursor", true}}, 1, cmd_messages_list},
      {"messages", "post",
       "usage: mucctl messages post ROOM TEXT\n\n"
       "Sends TEXT into a live room as the room itself (POST /v1/rooms/{room}/messages; admin or\n"
       "service token, served by mucstreamd all): every occupant receives it and it is archived\n"
       "like any other message. ROOM is the room's id, bare JID or local part.",
       {}, 2, cmd_messages_post},
      {"users", "rooms",
       "usage: mucctl users rooms JID [--page N] [--per-page N]\n\n"
       "The rooms a person (bare JID) took part in, with each room's latest message, newest\n"
       "activity first (GET /v1/users/{jid}/rooms).",
       {{"page", true}, {"per-page", true}}, 1, cmd_users_rooms},
  };
  return commands;
}

}  // namespace mucstream::tools::mucctl
