#pragma once
// What the room loop does with one stanza, one queued command or the shutdown, without the
// socket: decode -> limits -> core::execute -> sink -> render into the output buffer. Each
// call takes the time from the caller and returns a verdict; the loop (room_service.cpp)
// counts verdicts, logs, and writes the buffer to the connection.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/command.hpp"
#include "core/config.hpp"
#include "core/decide.hpp"
#include "core/ids.hpp"
#include "core/sink.hpp"
#include "core/state.hpp"
#include "xmpp/calls.hpp"
#include "xmpp/decoder.hpp"
#include "xmpp/flood_control.hpp"
#include "xmpp/occupant_iq.hpp"
#include "xmpp/presence_cache.hpp"
#include "xmpp/renderer.hpp"

namespace gloox {
class Tag;
}

namespace mucstream::xmpp {

// The time of one turn: wall clock for the core (event times, history), monotonic for limits.
struct Now {
  std::int64_t wall_ms = 0;
  std::int64_t mono_ms = 0;
};

// Per-sender protection. Settings keys limits.max_stanza_bytes, limits.messages_per_second,
// limits.burst.
struct Limits {
  std::size_t max_stanza_bytes = 262'144;  // bigger stanzas: policy-violation
  double stanzas_per_second = 10;          // sustained rate per sender full JID ...
  double burst = 30;                       // ... with this bucket size; beyond: resource-constraint
  // P2P stats (urn:xmpp:mucstream:stats:0) per reporting session and Jingle sid; beyond:
  // resource-constraint, no event. Clients report every few seconds; 0 = no limit.
  double stats_per_second = 1;
  double stats_burst = 5;
};

// What became of a stanza. Every refused_* and error verdict sent exactly one error reply.
enum class Verdict {
  ignored,           // nothing to do, nothing sent
  handled,           // executed, routed or answered
  error,             // answered with an error (decoding, the core's refusal, a query)
  refused_oversize,  // policy-violation: bigger than max_stanza_bytes
  refused_flood,     // resource-constraint: the sender's or the stats bucket is empty
};
inline bool is_error_reply(Verdict v) { return v == Verdict::error || v == Verdict::refused_oversize || v == Verdict::refused_flood; }

struct Outcome {
  Verdict verdict = Verdict::ignored;
  std::vector<std::string> refused_observations;  // the core's reasons; observations are never answered
};

class RoomHandler {
 public:
  // Stanzas are rendered into `out`; `stanzas_out` and `events` count what was appended
  // and published (the loop's counters).
  RoomHandler(std::string domain, Limits limits, core::ServiceConfig config, core::Service initial,
              core::IdSource& ids, core::Crypto& crypto, core::EventSink& sink, std::string& out);

  Outcome handle(const gloox::Tag& stanza, Now now);
  // The internal-server-error reply for a stanza whose handling threw (none to errors and results).
  Verdict refuse_internal(const gloox::Tag& stanza);
  // A command queued by the admin API: executed and rendered like a stanza's.
  core::Decision run(const core::Command& cmd, Now now);
  // Everyone leaves with 332; returns how many presences that rendered.
  std::size_t shutdown(Now now);

  const core::Service& service() const { return svc_; }
  void set_telemetry_token_source(TelemetryTokenSource s) { telemetry_token_ = std::move(s); }
  std::uint64_t stanzas_out() const { return stanzas_out_; }
  std::uint64_t events() const { return events_; }

 private:
  core::Decision execute(const core::Command& cmd, Now now);
  void deliver(const core::Decision& d, const RenderContext& rctx);
  void send(std::string stanza);
  Verdict reply_error(const Envelope& env, const core::Error& e, Verdict v, const std::string& by = {});
  RenderContext render_context(std::string origin_id) const;
  void observe(const Decoded& d, Now now, Outcome& o);
  bool stats_allowed(const Decoded& d, Now now);

  std::string domain_;
  Limits limits_;
  core::ServiceConfig config_;
  core::Service svc_;
  core::IdSource& ids_;
  core::Crypto& crypto_;
  core::EventSink& sink_;
  std::string& out_;
  Renderer renderer_;
  PresenceCache presence_;
  JingleContents jingle_;
  TokenBuckets stanza_limit_;
  TokenBuckets stats_limit_;
  OccupantIqRouter iq_router_;
  TelemetryTokenSource telemetry_token_;
  std::uint64_t stanzas_out_ = 0;
  std::uint64_t events_ = 0;
};

}  // namespace mucstream::xmpp
