#pragma once
// Privacy administration over HTTP: POST /v1/admin/users/{jid}/forget forgets one person in
// PostgreSQL (sql/forget.hpp), as `mucctl users forget` does. The API reaches PostgreSQL
// only through sql/: the process hands in the function that does the work.
#include <functional>
#include <string>

#include "analytics/server.hpp"
#include "sql/forget.hpp"

namespace mucstream::analytics {

struct PrivacyOptions {
  // Forgets a normalised bare JID; throws when PostgreSQL fails (nothing is changed then).
  // Unset: the route answers 503.
  std::function<sql::ForgetReport(const std::string& bare_jid)> forget;
};

void add_privacy_routes(HttpServer& server, PrivacyOptions options);

}  // namespace mucstream::analytics
