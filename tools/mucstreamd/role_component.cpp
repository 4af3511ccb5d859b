// mucstreamd component: the XEP-0114 MUC component on its own. Events go to a log sink
// (stderr lines, stdout JSON lines or nowhere: --xmpp-events); `mucstreamd all` wires the
// Kafka producer instead.
#include <csignal>
#include <memory>

#include "tools/mucstreamd/event_log_sink.hpp"
#include "tools/common/log.hpp"
#include "events/ids.hpp"
#include "tools/mucstreamd/roles.hpp"
#include "xmpp/room_service.hpp"

namespace mucstream::tools {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

}  // namespace

xmpp::ConnectionOptions connection_options(const Settings& s) {
  xmpp::ConnectionOptions c;
  c.host = s.get("xmpp.host");
  c.port = s.get_int("xmpp.port");
  c.domain = s.get("xmpp.domain");
  c.secret = s.get("xmpp.secret");
  if (c.domain.empty()) throw SettingsError("--domain (xmpp.domain) is required");
  if (c.secret.empty()) throw SettingsError("--secret (xmpp.secret, MUCSTREAM_XMPP_SECRET) is required");
  return c;
}

xmpp::Limits limits(const Settings& s) {
  xmpp::Limits l;
  l.max_stanza_bytes = static_cast<std::size_t>(s.get_int("limits.max_stanza_bytes"));
  l.stanzas_per_second = std::stod(s.get("limits.messages_per_second"));
  l.burst = std::stod(s.get("limits.burst"));
  return l;
}

core::ServiceConfig service_config(const Settings& s) {
  core::ServiceConfig c;
  c.domain = s.get("xmpp.domain");
  c.default_room.history_length = static_cast<std::uint32_t>(s.get_int("rooms.default_history"));
  c.default_room.persistent = s.get_bool("rooms.persistent_by_default");
  c.max_history_length = static_cast<std::uint32_t>(s.get_int("rooms.max_history"));
  c.max_occupants_limit = static_cast<std::uint32_t>(s.get_int("rooms.max_occupants"));
  c.only_admins_create_rooms = s.get_bool("rooms.only_admins_create");
  return c;
}

int run_component(const Settings& s) {
  auto conn = connection_options(s);
  std::unique_ptr<core::EventSink> sink;
  const std::string& where = s.get("xmpp.events");
  if (where == "stdout") sink = std::make_unique<JsonLinesSink>(stdout);
  else if (where == "none") sink = std::make_unique<NullSink>();
  else if (where == "log") sink = std::make_unique<LogSink>();
  else throw SettingsError("--xmpp-events must be log, stdout or none");
  events::UuidV7Ids ids;
  xmpp::RoomService service(conn, limits(s), service_config(s), core::Service{}, ids, *sink);
  service.set_logger([](xmpp::RoomService::LogLevel l, const std::string& m) {
    switch (l) {
      case xmpp::RoomService::LogLevel::debug: log::debug("component", "{}", m); break;
      case xmpp::RoomService::LogLevel::info: log::info("component", "{}", m); break;
      case xmpp::RoomService::LogLevel::warn: log::warn("component", "{}", m); break;
      case xmpp::RoomService::LogLevel::error: log::error("component", "{}", m); break;
    }
  });
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return service.run(g_stop);
}

}  // namespace mucstream::tools
