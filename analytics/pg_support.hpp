#pragma once
// What PgStore's query files share (pg_store.cpp, pg_calls.cpp): the connection pool with
// its retry-once-on-a-broken-connection rule, and the conversions between libpqxx fields
// and the API's types. Include from analytics/*.cpp only (it pulls in libpqxx).
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "analytics/pg_store.hpp"

namespace mucstream::analytics {
namespace pg {

// Times travel as RFC 3339 text cast by PostgreSQL (exact to the microsecond) and come back
// as integer microseconds (extract(epoch …) is numeric since PostgreSQL 14, so exact too).
#define MS_EPOCH_US(col) "(extract(epoch from " col ") * 1000000)::bigint"

inline std::optional<std::string> ts(const std::optional<UnixMicros>& t) {
  if (!t) return std::nullopt;
  return format_rfc3339(*t);
}

inline std::optional<std::string> opt_text(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}
inline std::optional<UnixMicros> opt_time(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<long long>();
}

// A text[] literal for a list of already-validated words, quoted anyway.
inline std::optional<std::string> text_array(const std::vector<std::string>& items) {
  if (items.empty()) return std::nullopt;
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace pg

struct PgStore::Impl {
  std::string conninfo;
  std::size_t max;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::unique_ptr<pqxx::connection>> idle;
  std::size_t open = 0;

  std::unique_ptr<pqxx::connection> acquire() {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return !idle.empty() || open < max; });
      if (!idle.empty()) {
        auto c = std::move(idle.back());
        idle.pop_back();
        return c;
      }
      ++open;
    }
    try {
      return std::make_unique<pqxx::connection>(conninfo);
    } catch (const std::exception& e) {
      discard();
      throw StoreUnavailable(std::string("cannot connect to PostgreSQL: ") + e.what());
    }
  }
  void release(std::unique_ptr<pqxx::connection> c) {
    std::lock_guard lock(mu);
    idle.push_back(std::move(c));
    cv.notify_one();
  }
  void discard() {
    std::lock_guard lock(mu);
    --open;
    cv.notify_one();
  }
  // After one connection broke the others usually have too (a server restart): drop the
  // idle ones so the retry and the next requests connect afresh.
  void discard_idle() {
    std::lock_guard lock(mu);
    open -= idle.size();
    idle.clear();
    cv.notify_all();
  }

  // Runs fn(transaction) on a pooled connection, read-only. A connection that broke is
  // dropped and the work retried once on a fresh one.
  template <class Fn>
  auto run(Fn&& fn) -> decltype(fn(std::declval<pqxx::read_transaction&>())) {
    for (int attempt = 0;; ++attempt) {
      auto conn = acquire();
      try {
        pqxx::read_transaction tx(*conn);
        auto result = fn(tx);
        tx.commit();
        release(std::move(conn));
        return result;
      } catch (const pqxx::broken_connection& e) {
        conn.reset();
        discard();
        discard_idle();
        if (attempt >= 1) throw StoreUnavailable(std::string("PostgreSQL connection lost: ") + e.what());
      } catch (...) {
        // The transaction was rolled back by its destructor; the connection is reusable
        // unless it is no longer open.
        if (conn->is_open()) {
          release(std::move(conn));
        } else {
          conn.reset();
          discard();
        }
        throw;
      }
    }
  }
};

}  // namespace mucstream::analytics
