// What the materialiser counts in memory (sql/rollup_keys.hpp) lands where the SQL
// definitions put it: an event's hour and five-minute slot as mucstream_hour and
// mucstream_slot compute them, its tenant as split_part(room, '@', 2), and every element of
// an array literal read back by PostgreSQL exactly (quotes, backslashes, separators, the word
// NULL; doubles to the last bit).
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "events/envelope.hpp"
#include "sql/migrate.hpp"
#include "sql/rollup_keys.hpp"
#include "tests/sql/support.hpp"

using namespace mucstream;
using namespace mucstream::testing;

TEST_CASE("sql: rollup keys: hours, tenants and array literals as PostgreSQL reads them") {
  TestDb db;
  pqxx::connection c(db.conn_string());
  sql::migrate(c);
  pqxx::nontransaction tx(c);

  const std::int64_t hour = sql::kHourMs;
  const std::int64_t slot = sql::kSlotMs;
  const std::vector<std::int64_t> times = {0, 1, hour - 1, hour, 1764849600000LL + 1234567, -1, -hour, -hour - 1,
                                          -86400000LL * 400 + 17, slot - 1, slot, 7 * slot + 1, -slot, -slot - 1};
  for (const std::int64_t ms : times) {
    CAPTURE(ms);
    const auto want = tx.exec_params1("SELECT (extract(epoch FROM mucstream_hour($1::timestamptz)) * 1000)::bigint",
                                      events::format_time(ms))[0]
                          .as<std::int64_t>();
    CHECK(sql::hour_of(ms) == want);
    const auto want_slot =
        tx.exec_params1("SELECT (extract(epoch FROM mucstream_slot($1::timestamptz)) * 1000)::bigint",
                        events::format_time(ms))[0]
            .as<std::int64_t>();
    CHECK(sql::slot_of(ms) == want_slot);
  }

  for (const std::string room : {"meeting@rooms.example.org", "a@b@c", "no-domain", "@x", "", "x@"}) {
    CAPTURE(room);
    CHECK(std::string(sql::domain_of(room)) == tx.exec_params1("SELECT split_part($1, '@', 2)", room)[0].as<std::string>());
  }

  const std::vector<std::string> texts = {"plain", "with \"quotes\"", "back\\slash", "a,b", "{braces}", " spaced ",
                                          "NULL", "", "ünïcødé"};
  sql::ArrayLiteral text_literal;
  for (const std::string& t : texts) text_literal.add(std::string_view(t));
  std::vector<std::string> got_texts;
  for (const auto& row : tx.exec_params("SELECT x FROM unnest($1::text[]) WITH ORDINALITY u(x, i) ORDER BY i",
                                        text_literal.str())) {
    REQUIRE_FALSE(row[0].is_null());
    got_texts.push_back(row[0].as<std::string>());
  }
  CHECK(got_texts == texts);

  const std::vector<double> doubles = {0.1, 1.0 / 3, 20.3, -2.5, 123456.789, 1e-300,
                                       std::numeric_limits<double>::denorm_min(),
                                       std::numeric_limits<double>::max(), 0.0};
  sql::ArrayLiteral double_literal;
  for (const double d : doubles) double_literal.add(d);
  // The text of each value (float8out prints the shortest exact form) against the double's.
  const auto rows = tx.exec_params(
      "SELECT x = y, x::text FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY u(x, y, i) ORDER BY i",
      double_literal.str(), [&] {
        std::string exact = "{";
        for (const double d : doubles) {
          if (exact.size() > 1) exact += ',';
          char buf[40];
          std::snprintf(buf, sizeof buf, "%.17g", d);
          exact += buf;
        }
        return exact + "}";
      }());
  REQUIRE(rows.size() == doubles.size());
  for (std::size_t i = 0; i < doubles.size(); ++i) {
    CAPTURE(rows[i][1].as<std::string>());
    CHECK(rows[i][0].as<bool>());
  }

  sql::ArrayLiteral counts;
  for (const long long n : {0LL, 1LL, -7LL, 9007199254740993LL}) counts.add(n);
  CHECK(tx.exec_params1("SELECT $1::bigint[]::text", counts.str())[0].as<std::string>() == "{0,1,-7,9007199254740993}");
}
