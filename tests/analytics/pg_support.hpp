#pragma once
// Shared by the PostgreSQL-backed API tests, which with_postgres.sh runs against a migrated
// and seeded PostgreSQL (MUCSTREAM_TEST_PG).
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "http_support.hpp"
#include "sql/pg_read_store.hpp"

namespace mucstream::analytics::testing {

inline std::string conninfo() {
  const char* c = std::getenv("MUCSTREAM_TEST_PG");
  REQUIRE_MESSAGE(c != nullptr, "run through with_postgres.sh (MUCSTREAM_TEST_PG unset)");
  return c;
}

// The read API over the real store, with an analyst token that reads content (bodies, real
// JIDs, user agents); `numbers` reads without them.
struct Api {
  sql::PgReadStore store{conninfo(), 4};
  Running srv{&store};
  std::string tok = Running::content_token();
  std::string numbers = Running::token(Role::analyst);
  // start_now = false: the caller adds routes first, then starts srv.
  explicit Api(bool start_now = true) {
    if (start_now) srv.start();
  }
  Reply get(const std::string& path) { return srv.get(path, tok); }
};

}  // namespace mucstream::analytics::testing
