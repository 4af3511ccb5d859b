#pragma once
// A PostgreSQL connection with the EventWriter on it, opened on demand and dropped after a
// failure, so the next attempt reconnects. Migrations are applied on the first open when
// asked. The materialiser and the embedded commit log each write through one.
#include <pqxx/pqxx>

#include <exception>
#include <memory>
#include <string>

#include "sql/migrate.hpp"
#include "sql/writer.hpp"

namespace mucstream::sql {

// Whether a failed write failed for its data (a data exception or an integrity violation:
// retrying cannot fix it) rather than for the server (down, restarting, overloaded, or the
// schema being migrated: retried).
inline bool is_data_error(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) || dynamic_cast<const pqxx::in_doubt_error*>(&e)) return false;
  if (auto* s = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& st = s->sqlstate();
    return st.rfind("22", 0) == 0 || st.rfind("23", 0) == 0;
  }
  return false;
}

class WriterSession {
 public:
  WriterSession(std::string pg, bool migrate) : pg_(std::move(pg)), migrate_(migrate) {}

  // Connects (and migrates, the first time) unless already open. Throws what libpqxx throws.
  void open() {
    if (conn_ && conn_->is_open()) return;
    close();
    conn_ = std::make_unique<pqxx::connection>(pg_);
    if (migrate_ && !migrated_) {
      migrate(*conn_);
      migrated_ = true;
    }
    writer_ = std::make_unique<EventWriter>(*conn_);
  }
  void close() {
    writer_.reset();
    conn_.reset();
  }

  bool is_open() const { return conn_ && conn_->is_open(); }

  // Valid after open() until close().
  pqxx::connection& connection() { return *conn_; }
  EventWriter& writer() { return *writer_; }

 private:
  std::string pg_;
  bool migrate_;
  bool migrated_ = false;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<EventWriter> writer_;
};

}  // namespace mucstream::sql
