// mucstreamd component: the XEP-0114 MUC component on its own. Events go to a log sink
// (stderr lines, stdout JSON lines or nowhere: --xmpp-events); `mucstreamd all` wires the
// Kafka producer instead.
#include <memory>

#include "crypto/openssl_crypto.hpp"
#include "events/ids.hpp"
#include "tools/mucstreamd/component_wiring.hpp"
#include "tools/mucstreamd/event_log_sink.hpp"
#include "tools/mucstreamd/pipeline.hpp"
#include "tools/mucstreamd/roles.hpp"

namespace mucstream::tools {

int run_component(const Settings& s) {
  auto conn = connection_options(s);
  std::unique_ptr<core::EventSink> sink;
  const std::string& where = s.get("xmpp.events");
  if (where == "stdout") sink = std::make_unique<JsonLinesSink>(stdout);
  else if (where == "none") sink = std::make_unique<NullSink>();
  else if (where == "log") sink = std::make_unique<LogSink>();
  else throw SettingsError("--xmpp-events must be log, stdout or none");
  events::UuidV7Ids ids;
  crypto::OpenSslCrypto openssl;
  xmpp::RoomService service(conn, limits(s), service_config(s), core::Service{}, ids, openssl, *sink);
  return service.run(install_stop_signals());
}

}  // namespace mucstream::tools
