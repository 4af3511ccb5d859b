#include "tools/mucstreamd/component_wiring.hpp"

#include "tools/mucstreamd/domains.hpp"
#include "tools/mucstreamd/room_admins.hpp"


namespace mucstream::tools {

xmpp::ConnectionOptions connection_options(const Settings& s) {
  xmpp::ConnectionOptions c;
  c.host = s.get("xmpp.host");
  c.port = s.get_int("xmpp.port");
  c.domain = xmpp_domains(s).front();  // the roles set each domain's own
  c.secret = s.get("xmpp.secret");
  c.max_backoff = std::chrono::milliseconds(s.get_int("xmpp.reconnect_max_ms"));
  c.outbound_queue_bytes = static_cast<std::size_t>(s.get_int("xmpp.outbound_queue_bytes"));
  c.outbound_room_bytes = static_cast<std::size_t>(s.get_int("xmpp.outbound_room_bytes"));
  c.outbound_window_bytes = static_cast<std::size_t>(s.get_int("xmpp.outbound_window_bytes"));
  c.multicast = s.get("xmpp.multicast");
  c.multicast_max_recipients = static_cast<std::size_t>(s.get_int("xmpp.multicast_max_recipients"));
  if (c.max_backoff < c.min_backoff) c.min_backoff = c.max_backoff;
  if (c.secret.empty()) throw SettingsError("--secret (xmpp.secret, MUCSTREAM_XMPP_SECRET; or --secret-file FILE) is required");
  return c;
}

xmpp::Limits limits(const Settings& s) {
  xmpp::Limits l;
  l.max_stanza_bytes = static_cast<std::size_t>(s.get_int("limits.max_stanza_bytes"));
  l.stanzas_per_second = std::stod(s.get("limits.messages_per_second"));
  l.burst = std::stod(s.get("limits.burst"));
  l.stats_per_second = std::stod(s.get("limits.stats_per_second"));
  l.stats_burst = std::stod(s.get("limits.stats_burst"));
  l.max_stanza_bytes_out = static_cast<std::size_t>(s.get_int("xmpp.max_stanza_bytes_out"));
  l.sender_bytes_per_second = std::stod(s.get("limits.sender_bytes_per_second"));
  l.sender_bytes_burst = std::stod(s.get("limits.sender_bytes_burst"));
  l.room_bytes_per_second = std::stod(s.get("limits.room_bytes_per_second"));
  l.room_bytes_burst = std::stod(s.get("limits.room_bytes_burst"));
  return l;
}

xmpp::CommitOptions commit_options(const Settings& s) {
  xmpp::CommitOptions c;
  c.release_immediately = s.get("commit.release") == "immediate";
  c.snapshot_interval = std::chrono::milliseconds(s.get_int("snapshot.interval_ms"));
  c.ghost_ping_timeout = std::chrono::milliseconds(s.get_int("xmpp.ghost_ping_timeout_ms"));
  return c;
}

namespace {
std::size_t non_negative(const Settings& s, const std::string& key) {
  const int v = s.get_int(key);
  if (v < 0) throw SettingsError(Settings::flag_for(key) + " must be 0 or more, got " + std::to_string(v));
  return static_cast<std::size_t>(v);
}
}  // namespace

core::ServiceConfig service_config(const Settings& s) {
  core::ServiceConfig c;
  c.domain = xmpp_domains(s).front();  // the roles set each domain's own
  c.default_room.history_length = static_cast<std::uint32_t>(s.get_int("rooms.default_history"));
  c.default_room.persistent = s.get_bool("rooms.persistent_by_default");
  c.max_history_length = static_cast<std::uint32_t>(s.get_int("rooms.max_history"));
  c.max_occupants_limit = static_cast<std::uint32_t>(s.get_int("rooms.max_occupants"));
  c.only_admins_create_rooms = s.get_bool("rooms.only_admins_create");
  c.admins = room_admins(s);
  c.lock_new_rooms = s.get_bool("rooms.lock_new_rooms");
  c.history.room_bytes = non_negative(s, "rooms.max_history_bytes");
  c.history.total_bytes = non_negative(s, "rooms.max_history_bytes_total");
  // Lifecycle settings (validated in validate_mucstreamd_settings).
  c.record_chat_states = s.get_bool("rooms.record_chat_states");
  c.idle_timeout_ms = static_cast<std::int64_t>(std::stod(s.get("rooms.idle_timeout_minutes")) * 60'000.0);
  c.history.recent_per_room = non_negative(s, "rooms.recent_messages");
  return c;
}

}  // namespace mucstream::tools
