// mucstreamd api: the talky-style HTTP API over the PostgreSQL tables the materialiser
// writes, alone (live room administration needs the room loop: `mucstreamd all`). Serves
// until SIGINT or SIGTERM.
#include <csignal>
#include <pthread.h>

#include "tools/common/log.hpp"
#include "tools/mucstreamd/api_server.hpp"
#include "tools/mucstreamd/roles.hpp"

namespace mucstream::tools {

int run_api(const Settings& settings) {
  // Signals go to the sigwait below, not to the server's threads (which inherit the mask).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  analytics::metrics::Registry registry;
  ApiServer api(settings, registry);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  log::info("api", "signal {}: stopping", sig);
  api.stop();
  return 0;
}

}  // namespace mucstream::tools
