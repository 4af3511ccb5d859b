#pragma once
// The tenant (a MUC domain) the reads of the current thread are limited to. The HTTP server
// opens a scope around a request whose token names a tenant; PgReadStore then runs every
// query of that request in a tenant-scoped transaction (pg_read_pool.hpp), so each query —
// also one written later — is limited by PostgreSQL's row-level security rather than by a
// WHERE clause it could forget. Scopes nest; a thread with no scope reads every tenant.
#include <string>

namespace mucstream::sql {

class TenantScope {
 public:
  // An empty domain opens no scope (the reads stay unscoped).
  explicit TenantScope(std::string domain);
  ~TenantScope();
  TenantScope(const TenantScope&) = delete;
  TenantScope& operator=(const TenantScope&) = delete;

  // The innermost scope's domain on this thread, or nullptr.
  static const std::string* current();

 private:
  std::string domain_;
  const std::string* previous_;
  bool active_;
};

}  // namespace mucstream::sql
