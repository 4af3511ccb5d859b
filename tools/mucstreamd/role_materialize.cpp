// mucstreamd materialize: the materialiser on its own (scale out by starting more in the
// same consumer group). Migrates at start-up, runs until SIGTERM/SIGINT.
#include "tools/common/log.hpp"
#include "tools/mucstreamd/pipeline.hpp"
#include "tools/mucstreamd/roles.hpp"

namespace mucstream::tools {

int run_materialize(const Settings& s) {
  const std::atomic<bool>& stop = install_stop_signals();
  KafkaEndpoint kafka = kafka_endpoint(s, false);
  sql::Materializer m(materializer_config(s, kafka));
  m.run(stop);
  return 0;
}

}  // namespace mucstream::tools
