// The one table of what mucstreamd's settings accept, and the checks that relate two settings.
#include "tools/mucstreamd/setting_rules.hpp"

#include <libpq-fe.h>

#include "tools/common/log.hpp"
#include "tools/common/secret_files.hpp"
#include "tools/mucstreamd/domains.hpp"
#include "tools/mucstreamd/roles.hpp"
#include "tools/mucstreamd/room_admins.hpp"

namespace mucstream::tools {
namespace {

// libpq's own parser, so what is accepted here is what the connection will read.
SettingRule conninfo(std::string key) {
  SettingRule r = custom(std::move(key),
                         "empty or a libpq connection string ('host=… port=… dbname=…' or a postgresql:// URI)",
                         [](const std::string& v) {
                           if (v.empty()) return true;
                           char* err = nullptr;
                           PQconninfoOption* opts = PQconninfoParse(v.c_str(), &err);
                           if (opts != nullptr) PQconninfoFree(opts);
                           if (err != nullptr) PQfreemem(err);
                           return opts != nullptr;
                         });
  r.hide_value = true;  // it may hold a password
  return r;
}

// Kafka's rule for topic names (legal characters, at most 249 of them).
SettingRule topic(std::string key) {
  return custom(std::move(key), "a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -", [](const std::string& v) {
    return !v.empty() && v.size() <= 249 && v != "." && v != ".." &&
           v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == std::string::npos;
  });
}

// A room id as the events carry it: a UUID in its 8-4-4-4-12 hexadecimal form.
SettingRule room_id(std::string key) {
  return custom(std::move(key), "empty or a room id (a UUID such as 0190f3c2-8a40-7000-8000-0000000000ff)",
                [](const std::string& v) {
                  if (v.empty()) return true;
                  if (v.size() != 36) return false;
                  for (std::size_t i = 0; i < v.size(); ++i) {
                    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
                    if (dash ? v[i] != '-' : std::string("0123456789abcdefABCDEF").find(v[i]) == std::string::npos)
                      return false;
                  }
                  return true;
                });
}

// auto (discover), off, or the service's domain.
SettingRule multicast_service(std::string key) {
  const SettingRule domain = xmpp_domain(key);
  return custom(std::move(key), "auto, off or the multicast service's domain (such as multicast.example.org)",
                [domain](const std::string& v) { return v == "auto" || v == "off" || domain.accepts(v); });
}

}  // namespace

std::vector<SettingRule> mucstreamd_setting_rules() {
  std::vector<SettingRule> rules = {
      one_of("log.level", log::level_names()),
      one_of("log.format", {"text", "json"}),
      // XMPP component
      host("xmpp.host"),
      port_number("xmpp.port"),
      xmpp_domain_list("xmpp.domain"),
      whole_number("xmpp.reconnect_max_ms", 1),
      whole_number("xmpp.ghost_ping_timeout_ms", 1),
      one_of("xmpp.events", {"log", "stdout", "none"}),
      multicast_service("xmpp.multicast"),
      whole_number("xmpp.multicast_max_recipients", 2, 100000),
      // Limits: a stanza must hold at least a join; the outbound bounds at least a few stanzas.
      whole_number("limits.max_stanza_bytes", 1024),
      decimal_number("limits.messages_per_second", 0, 1e9),
      decimal_number("limits.burst", 1, 1e9),
      decimal_number("limits.stats_per_second", 0, 1e9),
      decimal_number("limits.stats_burst", 1, 1e9),
      whole_number("xmpp.max_stanza_bytes_out", 16384),
      whole_number("xmpp.outbound_queue_bytes", 65536),
      whole_number("xmpp.outbound_room_bytes", 65536),
      decimal_number("limits.sender_bytes_per_second", 0, 1e12),
      decimal_number("limits.sender_bytes_burst", 1, 1e12),
      decimal_number("limits.room_bytes_per_second", 0, 1e12),
      decimal_number("limits.room_bytes_burst", 1, 1e12),
      // Rooms
      whole_number("rooms.max_occupants", 1),
      decimal_number("rooms.idle_timeout_minutes", 0, 5'256'000),  // ten years
      // Event pipeline
      conninfo("pg"),
      host_port_list("kafka.brokers", true),
      topic("kafka.topic"),
      topic("kafka.dead_letter_topic"),
      topic("kafka.snapshot_topic"),
      plain_text("kafka.group", false),
      one_of("kafka.queue_full", {"wait", "spill"}),
      plain_text("kafka.spill_dir", false),
      whole_number("kafka.mock_brokers", 1, 16),
      whole_number("kafka.mock_partitions", 1, 10000),
      one_of("commit.release", {"durable", "immediate"}),
      whole_number("commit.unavailable_ms", 1),
      whole_number("snapshot.interval_ms", 1),
      whole_number("materialize.batch_max", 1),
      // HTTP API and probes
      listen_address("http.listen", false),
      web_origins("http.cors_origins"),
      listen_address("ops.listen", true),
      whole_number("jwt.client_token_ttl", 1),
      whole_number("http.max_body_bytes", 1),
      whole_number("http.max_connections", 1),
      room_id("reports.room_id"),
      // Data lifecycle (a hundred years is the longest limit that still means one)
      whole_number("retention.events_days", 0, 36500),
      whole_number("retention.bodies_days", 0, 36500),
      whole_number("retention.personal_days", 0, 36500),
      whole_number("retention.purge_interval_s", 1, 604800),
      // Room archive
      whole_number("archive.max_page", 1, 1000),
      whole_number("archive.reader_threads", 1, 64),
      whole_number("archive.catch_up_timeout_ms", 1),
  };
  for (auto& r : secret_file_rules(mucstreamd_settings())) rules.push_back(std::move(r));
  return rules;
}

void validate_mucstreamd_settings(const Settings& s) {
  check_settings(s, mucstreamd_setting_rules());
  if (s.get_int("limits.max_stanza_bytes") > s.get_int("xmpp.max_stanza_bytes_out"))
    throw SettingsError(refusal(s, "limits.max_stanza_bytes",
                                "at most --xmpp-max-stanza-bytes-out (" + s.get("xmpp.max_stanza_bytes_out") + ")"));
  room_admins(s);  // each entry a bare JID, else a SettingsError naming rooms.admins
  if (s.get_bool("privacy.mask_room_names") && s.get("privacy.mask_key").size() < 16)
    throw SettingsError(refusal(s, "privacy.mask_key",
                                "at least 16 bytes while privacy.mask_room_names is on (give it in the environment or "
                                "with --privacy-mask-key-file)",
                                true));
}

}  // namespace mucstream::tools
