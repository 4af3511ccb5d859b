// Archive paging benchmark (docs/benchmarks.md, "Room archive"): seeds a room holding
// MESSAGES archived messages, and a second room interleaved with it, by COPY into the real
// archive table (not through XMPP), then times sql::query_archive — the function the
// reader and the HTTP route page with — on one connection, against a primary-key lookup in
// the same run.
//   mucstream_archive_bench CONNINFO [MESSAGES=1000000] [ROUNDS=300]
// Prints a Markdown table and the plans, and exits 1 when a page misses p95 < 20 ms
// (ARCHIVE_BENCH_NO_TARGET=1: report only).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <vector>

#include "events/envelope.hpp"
#include "events/ids.hpp"
#include "sql/archive_query.hpp"
#include "sql/migrate.hpp"

using namespace mucstream;

namespace {

constexpr std::int64_t kStart = 1761955200000;  // 2025-11-01: ~1 message per 2.5 s over a month

struct Seeded {
  std::string room_id;
  std::vector<std::string> ids;  // the big room's stanza-ids in order
};

Seeded seed(pqxx::connection& c, long messages) {
  events::UuidV7Ids gen;
  Seeded s;
  s.room_id = gen.next_id(kStart);
  const std::string other = gen.next_id(kStart);
  s.ids.reserve(static_cast<std::size_t>(messages));
  pqxx::work tx(c);
  tx.exec_params0("INSERT INTO rooms (id, name, jid, created, last_seq) VALUES ($1::uuid, 'big', 'big@rooms.bench', $2, $3)",
                  s.room_id, events::format_time(kStart), messages * 2);
  pqxx::stream_to copy(tx, "archive",
                       std::vector<std::string>{"room_id", "stanza_id", "room", "time", "seq", "nick", "occupant_id",
                                                "jid", "client_id", "payload", "ordinal"});
  std::mt19937 rng(13);
  const char* nicks[] = {"ann", "ben", "cat", "dan", "eve"};
  std::int64_t t = kStart;
  for (long i = 0; i < messages; ++i) {
    t += 2000 + static_cast<std::int64_t>(rng() % 1000);
    const std::string id = gen.next_id(t);
    s.ids.push_back(id);
    const std::string nick = nicks[rng() % 5];
    copy << std::make_tuple(s.room_id, id, "big@rooms.bench", events::format_time(t), 2 * i + 2, nick, "occ-" + nick,
                            nick + "@example.com/phone", "c" + std::to_string(i),
                            "<body>message number " + std::to_string(i) + " with some ordinary chat text</body>",
                            i + 1);
    if (i % 4 == 0)  // another room's traffic interleaved in id order
      copy << std::make_tuple(other, gen.next_id(t), "other@rooms.bench", events::format_time(t), i + 1, "zed",
                              "occ-zed", "zed@example.com/desk", "z" + std::to_string(i), "<body>noise</body>",
                              i / 4 + 1);
  }
  copy.complete();
  tx.commit();
  pqxx::nontransaction n(c);
  n.exec0("VACUUM ANALYZE archive");
  return s;
}

struct Stat {
  std::string name;
  std::vector<double> ms;
  std::size_t rows = 0;
};

double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: mucstream_archive_bench CONNINFO [MESSAGES] [ROUNDS]\n";
    return 2;
  }
  const long messages = argc > 2 ? std::atol(argv[2]) : 1000000;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 300;
  pqxx::connection c(argv[1]);
  sql::migrate(c);
  const auto s0 = std::chrono::steady_clock::now();
  const Seeded s = seed(c, messages);
  const double seed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();

  std::mt19937 rng(7);
  auto random_id = [&] { return s.ids[rng() % s.ids.size()]; };
  core::ArchiveQuery base;
  base.room = "big@rooms.bench";
  base.room_id = s.room_id;
  base.max = 50;
  base.min_seq = 0;

  auto page = [&](core::ArchiveQuery q) {
    return [q, &c]() -> std::size_t {
      pqxx::read_transaction tx(c);
      auto r = sql::query_archive(tx, q, 100);
      if (!std::holds_alternative<core::ArchivePage>(r)) throw std::runtime_error("query failed");
      return std::get<core::ArchivePage>(r).messages.size();
    };
  };
  std::vector<std::pair<std::string, std::function<std::function<std::size_t()>()>>> cases = {
      {"primary-key lookup (one message by id)",
       [&] {
         return [id = random_id(), &c, &s]() -> std::size_t {
           pqxx::read_transaction tx(c);
           return tx.exec_params("SELECT payload FROM archive WHERE room_id = $1::uuid AND stanza_id = $2::uuid",
                                 s.room_id, id)
               .size();
         };
       }},
      {"newest page of 50 (empty <before/>), with count",
       [&] {
         auto q = base;
         q.rsm_last_page = true;
         return page(q);
       }},
      {"page of 50 before a random id (middle), with count",
       [&] {
         auto q = base;
         q.rsm_before = random_id();
         return page(q);
       }},
      {"page of 50 after a random id (forward), with count",
       [&] {
         auto q = base;
         q.rsm_after = random_id();
         return page(q);
       }},
      {"everything after id X, X 50 from the end (after-id, max 100)",
       [&] {
         auto q = base;
         q.after_id = s.ids[s.ids.size() - 51];
         q.max = 100;
         return page(q);
       }},
      {"page of 50 with one nick (`with`), newest, count capped",
       [&] {
         auto q = base;
         q.rsm_last_page = true;
         q.with_nick = "cat";
         return page(q);
       }},
  };
  std::vector<Stat> stats;
  for (auto& [name, make] : cases) {
    Stat st{name, {}, 0};
    for (int i = 0; i < 5; ++i) make()();  // warm
    for (int i = 0; i < rounds; ++i) {
      auto f = make();
      const auto t = std::chrono::steady_clock::now();
      st.rows = f();
      st.ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
    }
    stats.push_back(std::move(st));
  }

  std::printf("Seeded %ld messages in one room (+%ld in another) in %.1f s; %d rounds each.\n\n", messages,
              messages / 4, seed_s, rounds);
  std::printf("| query | rows | p50 ms | p95 ms | p95 / PK lookup |\n|---|---:|---:|---:|---:|\n");
  const double pk95 = pct(stats[0].ms, 0.95);
  bool ok = true;
  for (const Stat& st : stats) {
    const double p95 = pct(st.ms, 0.95);
    std::printf("| %s | %zu | %.2f | %.2f | %.1f× |\n", st.name.c_str(), st.rows, pct(st.ms, 0.5), p95, p95 / pk95);
    if (&st != &stats[0] && st.name.rfind("page of 50 with", 0) != 0 && p95 >= 20.0) ok = false;
  }
  // The plan of a middle page: an index scan on the primary key, no sort, no seq scan.
  {
    pqxx::nontransaction tx(c);
    std::printf("\nPlan of the middle page (before a random id):\n```\n");
    for (const auto& row : tx.exec_params(
             "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) SELECT stanza_id FROM archive WHERE room_id = $1::uuid"
             " AND ($2::uuid IS NULL OR stanza_id < $2::uuid) ORDER BY stanza_id DESC LIMIT 51",
             s.room_id, s.ids[s.ids.size() / 2]))
      std::printf("%s\n", row[0].c_str());
    std::printf("```\n");
  }
  if (!ok && !std::getenv("ARCHIVE_BENCH_NO_TARGET")) {
    std::fprintf(stderr, "a page missed p95 < 20 ms\n");
    return 1;
  }
  return 0;
}
