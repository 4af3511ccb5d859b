#pragma once
// Live room administration over HTTP (admin token): create, configure, lock, unlock,
// destroy, kick, ban, set affiliations, sweep empty or unused rooms, and list a live room's
// occupants (read from the loop's state, never from PostgreSQL, which lags the room). Each
// request becomes a core::Command from Requester::admin(<token subject or "api">), is queued
// on the loop that owns the rooms (xmpp::RoomService::submit in `mucstreamd all`), and
// answers with the events the core decided — the same decisions and events an XMPP owner's
// action produces, so occupants see the lock, kick or destroy like any other. A request the
// room already satisfies (locking a locked room) decides no event and is answered 409.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/command.hpp"
#include "core/decision.hpp"
#include "core/state.hpp"

namespace mucstream::analytics {

class HttpServer;

// Queues `cmd` for the room loop; `done` is called (on the loop) with its decision.
using SubmitFn = std::function<void(core::Command cmd, std::function<void(const core::Decision&)> done)>;
// Queues a read of the live rooms (xmpp::RoomService::inspect): `read` runs on the loop,
// in order with commands, and copies out what the request needs.
using InspectFn = std::function<void(std::function<void(const core::Service&)> read)>;
// The same for one MUC domain's rooms, when each domain has a loop of its own.
using DomainInspectFn = std::function<void(const std::string& domain, std::function<void(const core::Service&)> read)>;

struct AdminOptions {
  // The default MUC domain: {room} given as a local part alone is of it (unless ?domain= names
  // another of ours).
  std::string domain = "rooms.localhost";
  // The further MUC domains served (xmpp.domain's list after the first): {room} may be a bare
  // JID of any of them, a local part with ?domain=, or an id of a live room of any.
  std::vector<std::string> more_domains;
  std::chrono::milliseconds timeout{5000};      // how long a request waits for the loop
  InspectFn inspect;  // empty: reads of the live rooms (occupants, ids, sweeps) answer 501
  // Set: reads of the live rooms go to the loop of their domain through it (inspect is then
  // unused); sweeps and id lookups read every domain's loop.
  DomainInspectFn inspect_in;
  // Wall-clock milliseconds since the epoch, what `destroy-unused`'s days count back from
  // (the room loop stamps activity with the same clock); empty: the system clock.
  std::function<std::int64_t()> clock_ms;
};

void add_admin_routes(HttpServer& server, SubmitFn submit, AdminOptions options);

}  // namespace mucstream::analytics
