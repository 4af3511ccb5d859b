#pragma once
// A room service refusal (core::Error) as an HTTP answer, the same on every route that
// submits to the room loop (live administration, service messages, telemetry): the status
// follows the XMPP condition, the code follows the status (error_code in server.hpp), and
// the condition itself is kept as error.condition.
#include "analytics/server.hpp"
#include "core/error.hpp"

namespace mucstream::analytics {

// 404 item-not-found, recipient-unavailable; 400 bad-request, jid-malformed,
// not-acceptable, policy-violation; 403 forbidden, not-allowed, not-authorized,
// registration-required; 409 conflict, gone; 503 resource-constraint, service-unavailable;
// 501 feature-not-implemented; 500 internal-server-error.
int http_status_of(core::ErrorCondition condition);

// The HttpError for a refusal; its message is the core's text, else the condition's name.
HttpError refusal(const core::Error& error);

}  // namespace mucstream::analytics
