#pragma once
// Rebuilds the service from Kafka alone (no PostgreSQL, no materialiser): the latest snapshot
// of each room from the snapshot topic, then each events-topic partition from the latest
// checkpoint's offset (or its beginning when there is none) to its high watermark, applying
// through core::apply the events the snapshots do not hold yet (same room id, seq > the
// room's seq; a room absent or of another incarnation takes only what apply() takes).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/state.hpp"
#include "events/kafka.hpp"

namespace mucstream::events {

struct KafkaRestoreConfig {
  std::string brokers;
  std::string topic = "mucstream.events";
  std::string snapshot_topic = "mucstream.snapshots";
  KafkaProperties properties;  // applied last
  int timeout_ms = 30000;      // for metadata, watermarks and reading to the end
  int threads = 2;             // snapshot decoders, and readers each taking a share of the partitions
  core::HistoryLimits history;  // the service's history byte bounds, as apply() keeps them live
  // Non-empty: only this MUC domain's rooms (snapshots and events of rooms whose bare JID is
  // of another domain are skipped). Empty: every room.
  std::string domain;
  // Where the restore starts: the checkpoint of this key (the producer's
  // ProducerConfig::checkpoint_key), else the plain one a single-domain component wrote (a
  // domain that has not completed a round yet; starting earlier than needed only re-reads
  // events the snapshots already hold), else each partition's beginning.
  std::string checkpoint_key = std::string("\0checkpoint", 11);
};

struct KafkaRestoreStats {
  std::uint64_t snapshots = 0;         // rooms restored from a snapshot
  std::uint64_t removed = 0;           // rooms whose latest snapshot record is null
  std::uint64_t snapshot_records = 0;  // records read from the snapshot topic
  bool checkpoint = false;             // a checkpoint was found (else: every partition from its start)
  std::uint64_t events_read = 0;
  std::uint64_t events_applied = 0;
  std::uint64_t undecodable = 0;  // events-topic messages that are not envelopes (logged)
  std::uint64_t lost = 0;         // events the checkpoint wanted that retention dropped (logged as errors)
  std::uint64_t rooms = 0;        // live rooms after the restore
  // Events topic: partition -> offset read up to (the high watermark). Hand these to
  // Producer::set_restored_offsets so the first checkpoint starts no earlier.
  std::map<std::int32_t, std::int64_t> end_offsets;
  // Rooms whose latest snapshot is live but which the events after it ended (destroyed,
  // emptied). Hand them to Producer::set_restored_offsets too: the next round removes their
  // snapshots, or a later restore whose checkpoint lies past the end would bring them back.
  std::vector<std::string> gone;
  double snapshot_seconds = 0, events_seconds = 0;
};

// Throws std::runtime_error when the cluster cannot be read (unknown topic, timeout, a
// snapshot that does not decode).
core::Service restore_from_kafka(const KafkaRestoreConfig&, KafkaRestoreStats* stats = nullptr);

}  // namespace mucstream::events
