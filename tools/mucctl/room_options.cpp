// mucctl rooms set ROOM OPTION VALUE: one option of a live room's configuration, changed
// through the admin API (POST /v1/admin/rooms/{room}/configure), as ejabberd's
// change_room_option. The options are the owner form's fields; names and values are
// checked here, so a typo is a usage error (exit 2) before anything is sent.
#include <cstdio>
#include <iostream>

#include "analytics/json.hpp"
#include "tools/mucctl/cli.hpp"

namespace mucstream::tools::mucctl {
namespace {

enum class Kind { text, boolean, count, whois, password };

struct RoomOption {
  const char* name;  // as typed: members-only (members_only is accepted too)
  const char* key;   // the API's configuration key
  Kind kind;
  const char* what;
};

// Every field of the room configuration form (docs/api.yaml RoomConfig).
const std::vector<RoomOption> kOptions = {
    {"name", "name", Kind::text, "the room's name (muc#roomconfig_roomname)"},
    {"description", "description", Kind::text, "its description"},
    {"persistent", "persistent", Kind::boolean, "kept when the last occupant leaves"},
    {"public", "public", Kind::boolean, "listed in disco#items"},
    {"members-only", "members_only", Kind::boolean, "only members may enter (non-members present leave, 322)"},
    {"moderated", "moderated", Kind::boolean, "only participants with voice may speak"},
    {"password", "password", Kind::password, "the room password; '' removes it, '-' reads it from stdin"},
    {"max-occupants", "max_occupants", Kind::count, "most occupants (0: no limit)"},
    {"history-length", "history_length", Kind::count, "messages a newcomer is sent"},
    {"whois", "whois", Kind::whois, "who sees real JIDs: moderators or anyone"},
    {"occupants-may-change-subject", "occupants_may_change_subject", Kind::boolean, "anyone may set the subject"},
    {"occupants-may-invite", "occupants_may_invite", Kind::boolean, "occupants may invite others"},
    {"allow-private-messages", "allow_private_messages", Kind::boolean, "occupants may message each other privately"},
    {"archiving", "enable_archiving", Kind::boolean, "messages are archived (XEP-0313)"},
    {"invite-grants-membership", "invite_grants_membership", Kind::boolean,
     "an invitation makes the invitee a member of a members-only room"},
    {"record-chat-states", "record_chat_states", Kind::boolean, "chat states and displayed markers become events"},
    {"locked", "locked", Kind::boolean, "the talky lock: only owners, admins and members may enter"},
};

std::string option_list() {
  std::string out;
  for (const auto& o : kOptions) out += std::string(out.empty() ? "" : ", ") + o.name;
  return out;
}

const RoomOption* find_option(std::string name) {
  for (char& c : name)
    if (c == '_') c = '-';
  for (const auto& o : kOptions)
    if (name == o.name) return &o;
  return nullptr;
}

std::optional<bool> parse_bool(const std::string& v) {
  if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
  if (v == "false" || v == "no" || v == "off" || v == "0") return false;
  return std::nullopt;
}

std::optional<std::uint32_t> parse_count(const std::string& v) {
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return static_cast<std::uint32_t>(std::stoul(v));
}

// The configuration body for OPTION=VALUE, or a UsageError saying what VALUE may be.
std::string config_body(const RoomOption& o, std::string value) {
  analytics::JsonOut b;
  b.begin_object();
  switch (o.kind) {
    case Kind::text:
      b.key(o.key).str(value);
      break;
    case Kind::boolean: {
      const auto v = parse_bool(value);
      if (!v) throw UsageError(std::string(o.name) + " takes true or false (or yes/no, on/off, 1/0), got '" + value + "'");
      b.key(o.key).boolean(*v);
      break;
    }
    case Kind::count: {
      const auto v = parse_count(value);
      if (!v) throw UsageError(std::string(o.name) + " takes a whole number, 0 or more, got '" + value + "'");
      b.key(o.key).i64(*v);
      break;
    }
    case Kind::whois:
      if (value != "moderators" && value != "anyone")
        throw UsageError("whois takes moderators or anyone, got '" + value + "'");
      b.key(o.key).str(value);
      break;
    case Kind::password:
      // Not on the command line when it should not show in `ps`: '-' reads one line.
      if (value == "-" && !std::getline(std::cin, value)) throw UsageError("password '-': nothing to read on stdin");
      if (value.empty()) {
        b.key("password_protected").boolean(false);
      } else {
        b.key("password_protected").boolean(true).key("password").str(value);
      }
      break;
  }
  return b.end_object().take();
}

int cmd_rooms_set(Context& ctx) {
  const RoomOption* o = find_option(ctx.args.at(1));
  if (o == nullptr) throw UsageError("unknown room option '" + ctx.args.at(1) + "' (options: " + option_list() + ")");
  const std::string body = config_body(*o, ctx.args.at(2));
  return admin_call(ctx, "/v1/admin/rooms/" + percent(room_arg(ctx, ctx.args.at(0))) + "/configure", body);
}

std::string usage() {
  std::string u =
      "usage: mucctl rooms set ROOM OPTION VALUE\n\n"
      "Changes one option of a live room's configuration (POST /v1/admin/rooms/{room}/configure),\n"
      "as its owner's configuration form would; occupants are told the configuration changed.\n"
      "An unknown option or a bad value exits 2 before anything is sent; a room that already\n"
      "has that value exits 1 (HTTP 409). Options (members_only is the same as members-only):\n\n";
  for (const auto& o : kOptions) {
    std::string name = std::string("  ") + o.name;
    const char* type = o.kind == Kind::boolean ? " true|false" : o.kind == Kind::count ? " N" : o.kind == Kind::whois ? " moderators|anyone" : " TEXT";
    name += type;
    if (name.size() < 44) name.resize(44, ' ');
    else name += "  ";
    u += name + o.what + "\n";
  }
  u.pop_back();
  return u;
}

}  // namespace

const std::vector<Command>& room_option_commands() {
  static const std::string text = usage();
  static const std::vector<Command> commands = {{"rooms", "set", text.c_str(), {}, 3, cmd_rooms_set}};
  return commands;
}

}  // namespace mucstream::tools::mucctl
