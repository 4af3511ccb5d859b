#pragma once
// Where decided events go: the log, whose acknowledgement is the commit point. The core
// declares it; events/ (Kafka) and sql/ (PostgreSQL, the embedded default) implement it and
// tools/mucstreamd wires them, so xmpp/ never includes events/ or sql/.
//
// The room loop appends each decision's events with publish() and parks the decision's
// visible effects (deliveries, IQ results, the admin API's answer) until the sink reports
// the last of those positions durable. Within one room, positions become durable in the
// order they were published.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "core/state.hpp"

namespace mucstream::core {

// A published event's place in this sink's output: 1, 2, 3 … per sink and process run.
// 0 means "durable already" (sinks without acknowledgements: logs, stdout, tests).
using LogPosition = std::uint64_t;

class EventSink {
 public:
  virtual ~EventSink() = default;

  // Appends one event. Called on the room loop for each event, in order, after apply().
  // Must not block.
  virtual LogPosition publish(const Event&) = 0;

  // Set once, before the loop runs. The sink calls it from any of its threads with
  // positions that became durable (acknowledged by Kafka with acks=all, committed by
  // PostgreSQL). Keep it short: the loop only queues them and wakes up.
  using DurableHandler = std::function<void(std::vector<LogPosition>)>;
  virtual void set_durable_handler(DurableHandler) {}

  // Whether new actions can be kept now. False while the log has failed to acknowledge for
  // longer than its bound, or cannot queue more: the loop then refuses state-changing
  // stanzas with resource-constraint (type wait) and admin commands the same way (HTTP 503).
  // Cheap; called from the loop thread.
  virtual bool accepting() const { return true; }

  // Snapshots for fast restart. A round begins with the last position published before it
  // (`upto`): every room that had events up to `upto` and changed since its previous
  // snapshot is then passed to snapshot() (possibly over several loop turns, each room at
  // its current state), rooms gone since (destroyed, or emptied and not persistent) to
  // snapshot_removed(), and the round closes with snapshot_end(). A restore reads the
  // latest snapshot of each room and applies the log's events after it (by seq), starting
  // from where the last completed round began. All on the loop thread; copy or encode
  // what you keep during the call.
  virtual void snapshot_begin(LogPosition /*upto*/) {}
  virtual void snapshot(const Room&) {}
  virtual void snapshot_removed(const std::string& /*room_jid*/) {}
  virtual void snapshot_end() {}
};

}  // namespace mucstream::core
