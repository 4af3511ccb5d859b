// mucstream_quantile (migrations 0018, 0022) over value-count rows equals percentile_cont over
// the rows' items, for row sets that keep its first band (rows alike, as days are) and for
// row sets where the big rows' band misses the answer and it must fall back to the rows' own
// bounds: many small rows far below or above one big row, equal values, a single row.
#include <string>
#include <vector>

#include "sql/migrate.hpp"
#include "tests/sql/support.hpp"

using namespace mucstream;
using namespace mucstream::testing;

TEST_CASE("sql: percentiles of value-count rows equal percentile_cont over their items") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  pqxx::nontransaction tx(c);

  // Each set is a query of (row, value, count) items.
  const std::vector<std::pair<std::string, std::string>> sets = {
      {"thirty alike rows",
       "SELECT r, ((i * 7919 + r * 13) % 500)::float8 / 10, 1 + i % 3 FROM generate_series(1, 30) r, "
       "generate_series(1, 300) i"},
      {"one big row above twenty small ones",
       "SELECT 0, (100 + i)::float8, 1 FROM generate_series(0, 99) i UNION ALL "
       "SELECT r, (i % 9)::float8, 1 FROM generate_series(1, 20) r, generate_series(0, 8) i"},
      {"one big row below twenty small ones",
       "SELECT 0, i::float8, 1 FROM generate_series(0, 99) i UNION ALL "
       "SELECT r, (1000 + i % 9)::float8, 1 FROM generate_series(1, 20) r, generate_series(0, 8) i"},
      {"big rows apart, small rows between",
       "SELECT r, (r * 1000 + i)::float8, 2 FROM generate_series(1, 3) r, generate_series(0, 199) i UNION ALL "
       "SELECT 10 + r, (1500 + r * 37 % 1000)::float8, 5 FROM generate_series(1, 60) r"},
      {"every item equal", "SELECT r, 42.5::float8, r FROM generate_series(1, 12) r"},
      {"one row", "SELECT 1, (i * 31 % 97)::float8, 1 + i % 4 FROM generate_series(1, 500) i"},
      {"one item", "SELECT 1, 7.25::float8, 1"}};
  const char* qs[] = {"0", "0.05", "0.5", "0.95", "1"};
  for (const auto& [name, items] : sets) {
    for (const char* q : qs) {
      CAPTURE(name);
      CAPTURE(q);
      const std::string rows = "(SELECT mucstream_value_counts(array_agg(v), array_agg(n::bigint)) AS c FROM (" + items +
                               ") i(r, v, n) GROUP BY r)";
      const auto got = tx.exec1("SELECT round(mucstream_quantile(array_agg(c), " + std::string(q) + ")::numeric, 9)::text FROM " +
                                rows + " x")[0];
      const auto want = tx.exec1("SELECT round((percentile_cont(" + std::string(q) +
                                 ") WITHIN GROUP (ORDER BY v))::numeric, 9)::text FROM (" + items +
                                 ") i(r, v, n), generate_series(1, n)")[0];
      REQUIRE_FALSE(want.is_null());
      CHECK(got.c_str() == std::string(want.c_str()));
    }
  }
}
