#pragma once
// What the room loop does with one stanza, one queued command or the shutdown, without the
// socket: decode -> limits -> core::execute -> sink -> render into the output buffer. Each
// call takes the time from the caller and returns a verdict; the loop (room_service.cpp)
// counts verdicts, logs, and writes the buffer to the connection.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/command.hpp"
#include "core/config.hpp"
#include "core/decide.hpp"
#include "core/ids.hpp"
#include "core/sink.hpp"
#include "core/state.hpp"
#include "xmpp/archive_requests.hpp"
#include "xmpp/calls.hpp"
#include "xmpp/decoder.hpp"
#include "xmpp/flood_control.hpp"
#include "xmpp/ghosts.hpp"
#include "xmpp/multicast_fallback.hpp"
#include "xmpp/multicast_fanout.hpp"
#include "xmpp/occupant_iq.hpp"
#include "xmpp/parking.hpp"
#include "xmpp/presence_cache.hpp"
#include "xmpp/renderer.hpp"
#include "xmpp/snapshots.hpp"

namespace gloox {
class Tag;
}

namespace mucstream::xmpp {

class BufferOutput;

// The time of one turn: wall clock for the core (event times, history), monotonic for limits.
struct Now {
  std::int64_t wall_ms = 0;
  std::int64_t mono_ms = 0;
};

// Per-sender protection. Settings keys limits.max_stanza_bytes, limits.messages_per_second,
// limits.burst, xmpp.max_stanza_bytes_out, limits.sender_bytes_per_second, ...
struct Limits {
  std::size_t max_stanza_bytes = 262'144;  // bigger stanzas: policy-violation
  // The largest stanza mucstream sends, escaped, with the room's stamps: below the host
  // server's component stanza limit (Prosody 512 KiB), which closes the whole stream when
  // exceeded. An incoming stanza whose reflection could exceed it: policy-violation; any
  // rendered stanza above it (old history, a routed IQ result) is skipped and counted.
  std::size_t max_stanza_bytes_out = 491'520;
  // Input bytes per sender full JID (wire size), and output bytes per room (wire size x
  // recipients); beyond: resource-constraint. 0 = no limit.
  double sender_bytes_per_second = 262'144;
  double sender_bytes_burst = 1'048'576;
  double room_bytes_per_second = 16'777'216;
  double room_bytes_burst = 33'554'432;
  double stanzas_per_second = 10;          // sustained rate per sender full JID ...
  double burst = 30;                       // ... with this bucket size; beyond: resource-constraint
  // P2P stats (urn:xmpp:mucstream:stats:0) per reporting session and Jingle sid; beyond:
  // resource-constraint, no event. Clients report every few seconds; 0 = no limit.
  double stats_per_second = 1;
  double stats_burst = 5;
};

// The commit point and what hangs on it: when decisions become visible, snapshot rounds,
// ghost pings, the waits around a restore and a stop.
struct CommitOptions {
  // false (commit.release=durable): a decision's output waits until its events are durable.
  // true (commit.release=immediate): released at once, the benchmark baseline only.
  bool release_immediately = false;
  std::chrono::milliseconds snapshot_interval{10'000};  // snapshot.interval_ms; 0 = no snapshots
  std::size_t snapshot_rooms_per_turn = 256;            // a round over more rooms spans turns
  std::chrono::milliseconds ghost_ping_timeout{30'000};  // no answer to the room's ping: a ghost
  std::size_t ghost_pings_per_turn = 1'000;
  std::chrono::milliseconds restore_wait{10'000};   // before a restore: wait this long for acks
  std::chrono::milliseconds shutdown_wait{5'000};   // at stop: wait this long for the 332s' acks
};

// What became of a stanza. Every refused_* and error verdict sent exactly one error reply.
enum class Verdict {
  ignored,           // nothing to do, nothing sent
  handled,           // executed, routed or answered
  error,             // answered with an error (decoding, the core's refusal, a query)
  refused_oversize,  // policy-violation: bigger than max_stanza_bytes
  refused_flood,     // resource-constraint: the sender's or the stats bucket is empty
  refused_unavailable,  // resource-constraint (wait): the log does not accept changes now
  refused_backlog,      // resource-constraint (wait): the room's outbound lane is full
};
inline bool is_error_reply(Verdict v) {
  return v == Verdict::error || v == Verdict::refused_oversize || v == Verdict::refused_flood ||
         v == Verdict::refused_unavailable || v == Verdict::refused_backlog;
}

struct Outcome {
  Verdict verdict = Verdict::ignored;
  std::vector<std::string> refused_observations;  // the core's reasons; observations are never answered
};

// Each stanza and each command is one unit: what it rendered goes to `out` at once when it
// published no events (errors, queries, routed IQs, private messages), else through the
// Parking, released when the sink reports its positions durable (durable()).
class RoomHandler {
 public:
  // Stanzas are rendered into `out`; `stanzas_out` and `events` count what was rendered
  // and published (the loop's counters).
  RoomHandler(std::string domain, Limits limits, core::ServiceConfig config, core::Service initial,
              core::IdSource& ids, core::Crypto& crypto, core::EventSink& sink, std::string& out,
              CommitOptions commit = {});

  Outcome handle(const gloox::Tag& stanza, Now now);
  // The internal-server-error reply for a stanza whose handling threw (none to errors and results).
  Verdict refuse_internal(const gloox::Tag& stanza);
  // A command queued by the admin API: executed and rendered like a stanza's. `done` is
  // called when its output is released (after its events are durable), or with a
  // service-unavailable failure when the service stops before that.
  core::Decision run(const core::Command& cmd, Now now, std::function<void(const core::Decision&)> done = {});
  // Everyone leaves with 332; returns how many presences that rendered.
  std::size_t shutdown(Now now);

  // Positions the sink reported durable (on the loop thread): releases their output.
  void durable(const std::vector<core::LogPosition>& positions) { parking_.durable(positions, out_); }
  bool all_durable() const { return parking_.all_durable(); }
  std::size_t parked() const { return parking_.held(); }
  // Drops what is still parked (a stop that could not wait); returns how many decisions.
  std::size_t drop_parked() { return parking_.drop_all(); }

  // Replaces the rooms with a restored state; every room is then due for a snapshot.
  void restore(core::Service s);
  // A connection is up: every session in the rooms gets a ping (ghost detection).
  void connected() { pings_.ping_all(svc_); }
  // The connection went: pending pings cannot be answered any more, nor refusals of the
  // multicast stanzas sent on it; no multicast until the next discovery.
  void disconnected() {
    pings_.clear();
    ledger_.clear();
    set_multicast({}, multicast_.max_recipients);
    multicast_seen_.clear();
  }
  // Time-driven work of one loop turn: ghost pings sent and timed out, a snapshot round's
  // next rooms. True while some of it waits for the next turn.
  bool tick(Now now);

  // A room's output goes to its lane (released or not parked) and new changes into a
  // congested room are refused; unset, everything goes to `out` (tests, tools).
  void set_lanes(RoomLanes* lanes) {
    lanes_ = lanes;
    parking_.set_lanes(lanes);
  }
  // Rendered stanzas not sent because they exceeded Limits::max_stanza_bytes_out.
  std::uint64_t oversize_skipped() const { return oversize_skipped_; }

  const core::Service& service() const { return svc_; }
  // Room archives (XEP-0313): served by `reader` (null: none), its answers handed back to
  // the loop thread by `to_loop`. Set before handling stanzas.
  void set_archive_reader(core::ArchiveReader* reader, ArchiveRequests::ToLoop to_loop) {
    archive_.set_reader(reader, std::move(to_loop));
  }
  std::size_t archive_requests_in_flight() const { return archive_.in_flight(); }
  std::uint64_t archive_requests() const { return archive_.asked(); }
  std::uint64_t archive_failures() const { return archive_.failed(); }
  void set_telemetry_token_source(TelemetryTokenSource s) { telemetry_token_ = std::move(s); }
  std::uint64_t stanzas_out() const { return stanzas_out_; }
  std::uint64_t events() const { return events_; }
  std::uint64_t ghosts_removed() const { return ghosts_; }
  std::uint64_t snapshot_rounds() const { return snapshots_.rounds(); }
  std::size_t pings_pending() const { return pings_.pending(); }
  // Multicast fan-out (XEP-0033, multicast_fanout.hpp) through `service` (its JID; "" : every
  // stanza to its recipient directly), at most `max_recipients` bcc addresses a stanza. Set
  // after each connect's discovery; a refusal by the service lowers the cap or stops it
  // until the next set_multicast.
  void set_multicast(std::string service, std::size_t max_recipients, bool recipient_list = false);
  bool multicasting() const { return !multicast_.service.empty(); }
  std::size_t multicast_max_recipients() const { return multicast_.max_recipients; }
  std::uint64_t multicast_stanzas() const { return multicast_stanzas_; }        // sent to the service
  std::uint64_t multicast_recipients() const { return multicast_recipients_; }  // addresses they carried
  std::uint64_t multicast_fallbacks() const { return multicast_fallbacks_; }    // refused, sent again one by one
  // Lifecycle counters: chat states and displayed markers relayed (recorded or not), rooms
  // closed for being idle.
  std::uint64_t chat_states() const { return chat_states_; }
  std::uint64_t displayed_markers() const { return displayed_markers_; }
  std::uint64_t idle_rooms_closed() const { return idle_rooms_closed_; }

 private:
  Outcome handle_stanza(const gloox::Tag& stanza, Now now);
  core::Decision execute(const core::Command& cmd, Now now);
  bool remove_ghost(const core::RemoveGhost& g, Now now);
  void finish_unit(Parking::After after);
  void deliver(const core::Decision& d, const RenderContext& rctx);
  void send(std::string stanza);      // part of the current unit's output
  void send_now(std::string stanza);  // not held: routed IQs, pings
  Verdict reply_error(const Envelope& env, const core::Error& e, Verdict v, const std::string& by = {});
  RenderContext render_context(std::string origin_id) const;
  void observe(const Decoded& d, Now now, Outcome& o);
  bool stats_allowed(const Decoded& d, Now now);
  bool fits(std::size_t bytes);  // within max_stanza_bytes_out; counts what does not
  void emit_archive(const std::string& lane, std::string stanza);  // an archive answer, on the asker's lane
  static bool may_multicast(const core::Delivery& x);
  void fan_out(Rendering& r, BufferOutput& o);
  void multicast_refused(const gloox::Tag& error);

  std::string domain_;
  Limits limits_;
  core::ServiceConfig config_;
  core::Service svc_;
  core::IdSource& ids_;
  core::Crypto& crypto_;
  core::EventSink& sink_;
  std::string& out_;
  CommitOptions commit_;
  Renderer renderer_;
  PresenceCache presence_;
  JingleContents jingle_;
  TokenBuckets stanza_limit_;
  TokenBuckets sender_bytes_;
  TokenBuckets room_bytes_;
  RoomLanes* lanes_ = nullptr;
  std::uint64_t oversize_skipped_ = 0;
  TokenBuckets stats_limit_;
  OccupantIqRouter iq_router_;
  TelemetryTokenSource telemetry_token_;
  Parking parking_;
  ArchiveRequests archive_;
  SnapshotRounds snapshots_;
  GhostPings pings_;
  // The unit being handled: its output, the positions its events got, their room.
  std::string unit_out_;
  std::size_t unit_mark_ = 0;  // where the last stanza-end mark in unit_out_ is
  std::vector<core::LogPosition> unit_positions_;
  std::string unit_room_;
  bool unit_parks_ = false;     // published events the output must wait for
  bool refused_now_ = false;    // the last execute() was refused: the log does not accept
  core::LogPosition last_position_ = 0;
  std::uint64_t stanzas_out_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t ghosts_ = 0;
  std::uint64_t chat_states_ = 0;
  std::uint64_t displayed_markers_ = 0;
  std::uint64_t idle_rooms_closed_ = 0;
  std::int64_t next_idle_check_ms_ = 0;  // monotonic
  std::int64_t clock_ms_ = 0;            // monotonic time of the current unit
  MulticastTarget multicast_;            // service "" : none now
  std::string multicast_seen_;           // the service of this connection: its errors are refusals
  MulticastLedger ledger_{30'000, 8u << 20};
  std::uint64_t multicast_stanzas_ = 0;
  std::uint64_t multicast_recipients_ = 0;
  std::uint64_t multicast_fallbacks_ = 0;
  void expire_idle(Now now);
};

}  // namespace mucstream::xmpp
