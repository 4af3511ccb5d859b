#include "core/config.hpp"

namespace mucstream::core {

Value to_value(const RoomConfig& c) {
  Value v = Value::object();
  v.set("name", c.name);
  v.set("description", c.description);
  v.set("persistent", c.persistent);
  v.set("public", c.is_public);
  v.set("members_only", c.members_only);
  v.set("moderated", c.moderated);
  v.set("password_hash", c.password_hash);
  v.set("max_occupants", static_cast<std::int64_t>(c.max_occupants));
  v.set("history_length", static_cast<std::int64_t>(c.history_length));
  v.set("whois", c.whois == Whois::anyone ? "anyone" : "moderators");
  v.set("occupants_may_change_subject", c.occupants_may_change_subject);
  v.set("occupants_may_invite", c.occupants_may_invite);
  v.set("allow_private_messages", c.allow_private_messages);
  return v;
}

RoomConfig room_config_from_value(const Value& v) {
  RoomConfig c;
  c.name = v.get_string("name");
  c.description = v.get_string("description");
  c.persistent = v.get_bool("persistent");
  c.is_public = v.get_bool("public", true);
  c.members_only = v.get_bool("members_only");
  c.moderated = v.get_bool("moderated");
  c.password_hash = v.get_string("password_hash");
  c.max_occupants = static_cast<std::uint32_t>(v.get_int("max_occupants"));
  c.history_length = static_cast<std::uint32_t>(v.get_int("history_length", 20));
  c.whois = v.get_string("whois") == "anyone" ? Whois::anyone : Whois::moderators;
  c.occupants_may_change_subject = v.get_bool("occupants_may_change_subject");
  c.occupants_may_invite = v.get_bool("occupants_may_invite");
  c.allow_private_messages = v.get_bool("allow_private_messages", true);
  return c;
}

}  // namespace mucstream::core
