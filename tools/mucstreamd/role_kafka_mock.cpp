// mucstreamd kafka-mock: librdkafka's mock cluster as a process of its own, for local
// multi-process development and the fault tests (SIGSTOP/SIGCONT of this process takes
// "Kafka" away and gives it back). Data lives in memory and is lost when it exits; each
// partition keeps ~5 MiB, so topics get many partitions.
//
//   mucstreamd kafka-mock --brokers 3 [--partitions 64] [--topic T] [--dead-letter-topic T]
//                         [--snapshot-topic T]
// The first line on stdout is `bootstrap=HOST:PORT,...`; it serves until SIGTERM/SIGINT.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "events/kafka.hpp"
#include "tools/common/log.hpp"
#include "tools/mucstreamd/pipeline.hpp"
#include "tools/mucstreamd/roles.hpp"

namespace mucstream::tools {
namespace {
constexpr const char* kHelp =
    "usage: mucstreamd kafka-mock [--brokers N] [--partitions N] [--topic T] [--dead-letter-topic T]\n"
    "                             [--snapshot-topic T] [--log-level L]\n\n"
    "Runs librdkafka's mock cluster (in memory) until SIGTERM/SIGINT. Prints bootstrap=HOST:PORT,...\n"
    "first on stdout. Defaults: 3 brokers, 64 partitions, topics mucstream.events,\n"
    "mucstream.events.dlq (4 partitions) and mucstream.snapshots.";

int positive(const char* flag, const char* v) {
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  if (end == v || *end != '\0' || n < 1 || n > 100000)
    throw SettingsError(std::string(flag) + " wants a positive number, not '" + v + "'");
  return static_cast<int>(n);
}
}  // namespace

int run_kafka_mock(int argc, char** argv) {
  int brokers = 3, partitions = 64;
  std::string topic = "mucstream.events", dlq = "mucstream.events.dlq", snapshots = "mucstream.snapshots";
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::puts(kHelp);
      return 0;
    }
    if (i + 1 >= argc) throw SettingsError("unknown or incomplete option '" + a + "'\n" + kHelp);
    const char* v = argv[++i];
    if (a == "--brokers") brokers = positive("--brokers", v);
    else if (a == "--partitions") partitions = positive("--partitions", v);
    else if (a == "--topic") topic = v;
    else if (a == "--dead-letter-topic") dlq = v;
    else if (a == "--snapshot-topic") snapshots = v;
    else if (a == "--log-level") {
      if (!core::log_level_from_string(v)) {
        std::string names;
        for (const std::string& n : log::level_names()) names += (names.empty() ? "" : ", ") + n;
        throw SettingsError("--log-level must be one of " + names + ", got '" + v + "'");
      }
      log::set_level(v);
    }
    else throw SettingsError("unknown option '" + a + "'\n" + kHelp);
  }
  const std::atomic<bool>& stop = install_stop_signals();
  events::MockCluster mock(brokers);
  mock.create_topic(topic, partitions);
  mock.create_topic(dlq, 4);
  mock.create_topic(snapshots, partitions);
  std::printf("bootstrap=%s\n", mock.bootstraps().c_str());
  std::fflush(stdout);
  log::info("kafka-mock", "{} brokers at {}; topics {} and {} ({} partitions each), {}", brokers, mock.bootstraps(),
            topic, snapshots, partitions, dlq);
  while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  log::info("kafka-mock", "stopping (the data held is gone)");
  return 0;
}

}  // namespace mucstream::tools
