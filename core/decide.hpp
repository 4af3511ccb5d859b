#pragma once
// The pure heart of mucstream:
//   Decision decide(const Service&, const Command&, Context&)   -- no I/O, no mutation
//   void apply(Service&, const Event&)                            -- the only state change
// apply() works in place rather than returning a new state: rooms hold history and
// occupants, and copying them per event would put allocations on the hot path.
#include <cstdint>

#include "core/command.hpp"
#include "core/config.hpp"
#include "core/decision.hpp"
#include "core/ids.hpp"
#include "core/crypto.hpp"
#include "core/state.hpp"

namespace mucstream::core {

struct Context {
  const ServiceConfig& config;
  std::int64_t now_ms;
  IdSource& ids;
  Crypto& crypto;  // runs on the caller's thread (the room loop): a password hash's cost is join latency
};

Decision decide(const Service&, const Command&, Context&);

// What a Presence is for the room as it stands: unavailable is a leave; an available
// presence from a session already in the room without the MUC element is an update (same
// nick) or a nick change; anything else asks to enter (decide_join then handles a re-join
// under the same or another nick).
enum class PresenceKind { join, update, nick_change, leave };
PresenceKind classify_presence(const Service&, const Presence&);
// History byte bounds are the service's configuration, not events: every apply() of one
// log must be given the same bounds to rebuild the same history (execute() passes
// ctx.config.history; the one-argument form uses the defaults).
void apply(Service&, const Event&, const HistoryLimits&);
void apply(Service&, const Event&);

// decide + apply, for callers that own the state (the room loop, tests).
Decision execute(Service&, const Command&, Context&);

}  // namespace mucstream::core
