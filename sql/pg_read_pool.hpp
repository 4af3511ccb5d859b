#pragma once
// What PgReadStore's query files share (pg_read_store.cpp, pg_read_calls.cpp): the
// connection pool with its retry-once-on-a-broken-connection rule, and the conversions
// between libpqxx fields and the read side's types. Include from sql/pg_read_*.cpp only (it
// pulls in libpqxx).
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "sql/pg_read_store.hpp"
#include "sql/tenant_scope.hpp"

namespace mucstream::sql {
namespace pg {

// Times travel both ways as integer microseconds and PostgreSQL converts them, exactly:
// MS_EPOCH_US reads a timestamptz column (extract(epoch …) is numeric since PostgreSQL 14),
// MS_US_TIME turns a bound bigint parameter into a timestamptz. MS_US_TIME is built from
// immutable operators only (timestamp + interval, timezone('UTC', …)), so the planner folds
// it to a constant and prunes partitions and uses indexes as for a timestamptz literal;
// seconds and microseconds are multiplied apart so the float8 factor of interval * n stays
// exact for every year up to 9999. A NULL parameter gives NULL.
#define MS_EPOCH_US(col) "(extract(epoch from " col ") * 1000000)::bigint"
#define MS_US_TIME(param)                                                                     \
  "timezone('UTC', timestamp '1970-01-01' + (" param "::bigint / 1000000) * interval '1 second' + (" param \
  "::bigint % 1000000) * interval '1 microsecond')"

// Rollup periods (sql/migrations/0011_rollups.sql): a period [from, to) is read from a
// rollup for its whole units (hours or days) and from the base table for the partial unit
// at each end. MS_CEIL(unit, t) is the first unit boundary at or after t, MS_FLOOR the last
// at or before; the base table then covers [from, least(CEIL(from), to)) and
// [greatest(FLOOR(to), CEIL(from)), to), and the rollup [CEIL(from), FLOOR(to)) — together
// exactly [from, to), also when the period lies inside one unit.
#define MS_FLOOR(unit, t) "timezone('UTC', date_trunc('" unit "', timezone('UTC', " t ")))"
#define MS_CEIL(unit, t) \
  "timezone('UTC', date_trunc('" unit "', timezone('UTC', " t ") - interval '1 microsecond') + interval '1 " unit "')"

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

// Runs a statement whose planning costs more than its execution (the rollup functions that
// PostgreSQL inlines into the query, views over every events partition) prepared once per
// connection with a generic plan, which the connection then keeps: the parameters still prune
// partitions and select rows at execution. On the 10M-event benchmark the generic plans ran
// P2P quality of every room over 1-90 days in 3-50 ms against 14-70 ms planned per request,
// one room's in 3 ms against 5.5. PostgreSQL plans again by itself when a table changes
// shape, or the search path or role differs (tenant scopes). Sets plan_cache_mode for the
// rest of the transaction: call it for the transaction's last statements.
template <class... Args>
pqxx::result exec_generic(pqxx::read_transaction& tx, const std::string& name, const std::string& sql, Args&&... args) {
  tx.exec0("SET LOCAL plan_cache_mode = force_generic_plan");
  tx.conn().prepare(name, sql);
  return tx.exec_prepared(name, std::forward<Args>(args)...);
}

}  // namespace pg

struct PgReadStore::Impl {
  std::string conninfo;
  std::size_t max;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::unique_ptr<pqxx::connection>> idle;
  std::size_t open = 0;
  std::thread warmer;  // pg_read_warm.cpp
  std::atomic<bool> stopping{false};
  // The warm-up thread's connection: run() uses it instead of the pool while it is set.
  static inline thread_local pqxx::connection* pinned = nullptr;

  // The warm-up calls the store's reads: it ends before the store is taken apart.
  void stop_warm_up() {
    stopping = true;
    if (warmer.joinable()) warmer.join();
  }

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
  // A connection opened ahead of demand joins the idle ones, unless requests filled the pool
  // meanwhile. It goes below those idle already, which are warm and taken first.
  bool adopt(std::unique_ptr<pqxx::connection> c) {
    std::lock_guard lock(mu);
    if (open >= max) return false;
    ++open;
    idle.insert(idle.begin(), std::move(c));
    cv.notify_one();
    return true;
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

  // Within a TenantScope, the transaction is limited to that tenant before fn runs
  // (migration 0014): the tenant setting the row-level security policies read, the role
  // they apply to (the service's own role owns the tables, and owners and superusers pass
  // every policy), and the search path that finds the invoker-rights copies of the views
  // first (a view reads its tables with its owner's rights). All three are transaction-local:
  // the pooled connection goes back unscoped. Unscoped reads run exactly as before.
  static void scope(pqxx::read_transaction& tx, const std::string& tenant) {
    tx.exec_params(
        "SELECT set_config('mucstream.tenant', $1, true), set_config('search_path', 'mucstream_tenant, public', true),"
        " set_config('role', 'mucstream_tenant_reader', true)",
        tenant);
  }

  // Runs fn(transaction) on a pooled connection, read-only. A connection that broke is
  // dropped and the work retried once on a fresh one.
  template <class Fn>
  auto run(Fn&& fn) -> decltype(fn(std::declval<pqxx::read_transaction&>())) {
    if (pinned != nullptr) {
      pqxx::read_transaction tx(*pinned);
      auto result = fn(tx);
      tx.commit();
      return result;
    }
    for (int attempt = 0;; ++attempt) {
      auto conn = acquire();
      try {
        pqxx::read_transaction tx(*conn);
        if (const std::string* tenant = TenantScope::current()) scope(tx, *tenant);
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

}  // namespace mucstream::sql
