#pragma once
// The room service: one event-loop thread that owns every room (core::Service) and speaks
// XEP-0114 to an XMPP server through gloox. The loop (connect, poll, reconnect, the admin
// queue, non-blocking writes from the outbound queue) is here; what happens to each stanza (decode, limits,
// core::execute, the EventSink, rendering) is the RoomHandler's (room_handler.hpp).
//
//   mucstream::xmpp::RoomService svc(conn, limits, service_config, restored_state, ids, crypto, sink, commit);
//   svc.set_restore([&] { return restore_from_the_log(); });  // optional: failover
//   std::atomic<bool> stop{false};
//   std::thread loop([&] { svc.run(stop); });      // or run it on the main thread
//   svc.submit(core::DestroyRoom{...}, [](const core::Decision& d) { ... });  // any thread
//   stop = true; loop.join();                        // occupants get 332, then disconnect
//
// The commit point: a decision's output (and an admin command's `done`) is held until the
// sink reports its events durable (core/sink.hpp), per room in order; see CommitOptions.
//
// Threads: run() is the only thread that touches room state. submit() may be called from
// any thread; the command is queued and executed on the loop, and `done` is called on the
// loop thread (keep it short; hand results back to your own thread yourself).
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/archive.hpp"
#include "core/command.hpp"
#include "core/config.hpp"
#include "core/decision.hpp"
#include "core/ids.hpp"
#include "core/crypto.hpp"
#include "core/sink.hpp"
#include "core/state.hpp"
#include "xmpp/renderer.hpp"
#include "xmpp/room_handler.hpp"

namespace gloox {
class Tag;
}

namespace mucstream::xmpp {

// Where and how to connect (XEP-0114). Settings keys xmpp.host, xmpp.port, xmpp.domain,
// xmpp.secret.
struct ConnectionOptions {
  std::string host = "127.0.0.1";
  int port = 5347;
  std::string domain = "rooms.localhost";  // the MUC domain this component owns
  std::string secret;
  // Reconnect backoff: min doubles per failed attempt up to max, each with +-25 % jitter.
  std::chrono::milliseconds min_backoff{250};
  std::chrono::milliseconds max_backoff{30'000};
  // Output waits in a bounded queue, written when the socket takes it (outbound.hpp):
  // xmpp.outbound_queue_bytes in all, xmpp.outbound_room_bytes per room.
  std::size_t outbound_queue_bytes = 64u << 20;
  std::size_t outbound_room_bytes = 4u << 20;
  // At most this much written beyond what the server is known to have processed
  // (xmpp.outbound_window_bytes; flow_window.hpp). 0: no window.
  std::size_t outbound_window_bytes = 256u << 10;
  // XEP-0033 multicast fan-out (multicast_discovery.hpp): "auto" (look for the server's
  // service after each connect), "off", or the service's JID (xmpp.multicast; mucstreamd's
  // default is auto, off here so that an embedding opts in), at most this many recipients a
  // stanza (xmpp.multicast_max_recipients).
  std::string multicast = "off";
  std::size_t multicast_max_recipients = 100;
};

// Per-sender protection: Limits (room_handler.hpp).

// Counters readable from any thread (for logs, metrics and mucbench).
struct ServiceStats {
  std::atomic<std::uint64_t> stanzas_in{0};
  std::atomic<std::uint64_t> stanzas_out{0};
  std::atomic<std::uint64_t> bytes_out{0};
  std::atomic<std::uint64_t> errors_out{0};
  std::atomic<std::uint64_t> events{0};
  std::atomic<std::uint64_t> rejected_flood{0};
  std::atomic<std::uint64_t> rejected_oversize{0};
  std::atomic<std::uint64_t> rejected_unavailable{0};  // refused while the log did not accept
  std::atomic<std::uint64_t> rejected_backlog{0};      // refused while the room's outbound lane was full
  std::atomic<std::uint64_t> oversize_skipped{0};      // rendered stanzas above xmpp.max_stanza_bytes_out, not sent
  std::atomic<std::uint64_t> outbound_bytes{0};        // waiting in the outbound queue now
  std::atomic<std::uint64_t> parked{0};                // decisions waiting for the log now
  std::atomic<std::uint64_t> ghosts_removed{0};
  std::atomic<std::uint64_t> snapshot_rounds{0};
  std::atomic<std::uint64_t> restores{0};
  std::atomic<std::uint64_t> restore_failures{0};
  std::atomic<std::uint64_t> connects{0};
  std::atomic<std::uint64_t> chat_states{0};        // XEP-0085 chat states relayed
  std::atomic<std::uint64_t> displayed_markers{0};  // XEP-0333 displayed markers relayed
  std::atomic<std::uint64_t> idle_rooms_closed{0};  // rooms destroyed for rooms.idle_timeout_minutes
  std::atomic<bool> connected{false};
  // Room archives (XEP-0313): requests handed to the archive reader, those it failed (not
  // caught up, store down, unknown id), and those waiting for it now.
  std::atomic<std::uint64_t> archive_requests{0};
  std::atomic<std::uint64_t> archive_failures{0};
  std::atomic<std::uint64_t> archive_in_flight{0};
  // Multicast fan-out (XEP-0033): stanzas sent to the service, the recipients they carried,
  // those the service refused (sent again one per recipient), and whether a service is in use.
  std::atomic<std::uint64_t> multicast_stanzas{0};
  std::atomic<std::uint64_t> multicast_recipients{0};
  std::atomic<std::uint64_t> multicast_fallbacks{0};
  std::atomic<bool> multicast_active{false};
};

class RoomService {
 public:
  // Sets the sink's durable handler (it must outlive this service or stop calling it).
  RoomService(ConnectionOptions conn, Limits limits, core::ServiceConfig config, core::Service initial,
              core::IdSource& ids, core::Crypto& crypto, core::EventSink& sink, CommitOptions commit = {});
  ~RoomService();
  RoomService(const RoomService&) = delete;
  RoomService& operator=(const RoomService&) = delete;

  // Connects, serves and reconnects (exponential backoff with jitter, one log line per
  // attempt, rooms kept in memory) until `stop` becomes true. After each handshake, before
  // any stanza: the restore (set_restore), then a ghost ping to every session. On stop,
  // executes core::Shutdown, waits (CommitOptions::shutdown_wait) for its events to be
  // durable, sends the unavailable presences (status 332), flushes and disconnects.
  // Returns 0 on a clean stop.
  int run(const std::atomic<bool>& stop);

  // Thread-safe: queues a command for the loop (admin API, mucctl). `done` (may be empty)
  // is called on the loop thread with the decision once its events are durable and its
  // deliveries released (at once for a refusal or a decision without events). While the
  // sink does not accept, state changes are refused with resource-constraint (type wait).
  // If the service stops before the events are durable: a service-unavailable failure.
  void submit(core::Command cmd, std::function<void(const core::Decision&)> done = {});

  // Thread-safe: queues a read of the live rooms (the admin API's occupant list). `read` is
  // called on the loop thread, in order with submitted commands, with the current state;
  // copy what you need out of it and keep it short.
  void inspect(std::function<void(const core::Service&)> read);

  const ServiceStats& stats() const;

  // Issues the token a client presents to POST /v1/telemetry. When set, every self-presence
  // carries <telemetry xmlns='urn:xmpp:mucstream:0' token='…'/> for the recipient's session
  // (see docs/protocol.md). Called on the loop thread; keep it fast. Set before run().
  void set_telemetry_token_source(TelemetryTokenSource);

  // Failover: when set, called on the loop thread after each successful handshake, before
  // any stanza is handled, once every position published so far is durable (waiting at
  // most CommitOptions::restore_wait); its result replaces the rooms. If it throws, the
  // connection is closed and retried with backoff. Set before run().
  void set_restore(std::function<core::Service()> restore);

  // Several MUC domains in one process, one RoomService each: a stanza this connection reads
  // for another domain (ejabberd routes every host of a multi-host ejabberd_service listener
  // to each of its connections) is offered to `other` first; true: it was taken (handed to
  // that domain's loop with take_stanza) and is not answered here. Set before run().
  void set_foreign_stanzas(std::function<bool(const gloox::Tag&)> other);
  // Thread-safe: a stanza another domain's connection read for this domain, handled on this
  // loop as if this connection had read it (replies go out on this connection).
  void take_stanza(const gloox::Tag& tag);

  // Room archives (XEP-0313): queries are checked on the loop and answered by `reader` on
  // its own threads; the answers come back to the loop and go out on the asker's own lane.
  // null (the default): rooms keep no archive, it is not advertised, and archive requests
  // get service-unavailable. The reader must outlive run(). Set before run().
  void set_archive_reader(core::ArchiveReader* reader);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mucstream::xmpp
