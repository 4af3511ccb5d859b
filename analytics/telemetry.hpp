#pragma once
// Talky-style client telemetry over HTTP: POST /v1/telemetry and the legacy
// POST /telemetry, for a client token only. Talky's WebRTC clients POSTed their media events
// instead of sending them over XMPP; this path accepts them, checks them all (all or
// nothing) before anything reaches the room loop, then submits each one as a
// core::ClientReport to the loop that owns the rooms, so the same process that decides
// every other event decides these and produces them to Kafka. docs/api.md describes the
// body, the checks and the answers.
#include <chrono>
#include <cstddef>

#include "analytics/admin.hpp"

namespace mucstream::analytics {

class HttpServer;
namespace metrics {
class Registry;
}

struct TelemetryOptions {
  std::size_t max_batch = 100;              // events per request; more is 413
  std::size_t max_body_bytes = 1u << 20;    // request body; more is 413
  std::chrono::milliseconds timeout{5000};  // how long a request waits for the loop
  // When set: mucstream_telemetry_events_total{result=accepted|unchanged|rejected|invalid}
  // (invalid: events of requests refused whole, before the room loop).
  metrics::Registry* registry = nullptr;
  // Reads one domain's live rooms (as AdminOptions::inspect_in): with it, a token with a
  // tenant claim reports only for rooms of its tenant, another tenant's room answering as an
  // unknown one does. Without it, tenant tokens are refused (503): their rooms cannot be checked.
  DomainInspectFn inspect;
};

// `submit` empty: this process does not own the rooms (`mucstreamd api` alone), and the
// routes answer 503 with a JSON message saying where telemetry is served.
void add_telemetry_routes(HttpServer& server, SubmitFn submit, TelemetryOptions options = {});

}  // namespace mucstream::analytics
