#pragma once
// How the roles that run the XMPP component (component, all) build it from settings.
#include "core/config.hpp"
#include "tools/common/settings.hpp"
#include "xmpp/room_service.hpp"

namespace mucstream::tools {

// Of the first (default) domain of xmpp.domain; a role serving several sets each loop's domain.
xmpp::ConnectionOptions connection_options(const Settings& s);
xmpp::Limits limits(const Settings& s);
core::ServiceConfig service_config(const Settings& s);  // domain: the first, as connection_options
// commit.release, snapshot.interval_ms: when output is released, how often rooms are snapshotted.
xmpp::CommitOptions commit_options(const Settings& s);

}  // namespace mucstream::tools
