// Fast restart from PostgreSQL (sql::restore_from_pg) at scale: ROOMS live rooms with about
// 10 events each (a join that creates the room, its configuration, three more joins, chat,
// a leave), made by the real core and stored with sql::EventWriter (COPY), and a snapshot of
// each room taken after its 7th event (room_snapshots, COPY), so that a restore reads every
// snapshot and applies the last ~3 events of each room. Then, for comparison, the same
// restore without snapshots (every event applied). Each restore is checked against the
// service the core built.
//
//   mucstream_restore_bench 'host=… dbname=…' [ROOMS=100000] [RUNS=3]
//
// Measured on the 2-core development machine (load average ~1): with snapshots 3.2-4.4 s wall
// (CPU 3.3-4.0 s here + 1.9-2.2 s PostgreSQL backend); without snapshots, 999,900 events
// applied, 4.9-6.9 s wall (CPU 4.5-4.9 s + 3.8-3.9 s).
//
// The database is migrated here; events already seeded by an earlier run with the same ROOMS
// are kept (the snapshots are loaded again). tools/bench/restore.sh runs it against
// a throwaway PostgreSQL.
#include <pqxx/pqxx>

#include <array>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "core/counting_ids.hpp"
#include "core/decide.hpp"
#include "crypto/openssl_crypto.hpp"
#include "core/ids.hpp"
#include "events/room_snapshot.hpp"
#include "sql/migrate.hpp"
#include "sql/restore.hpp"
#include "sql/writer.hpp"

using namespace mucstream;
using Clock = std::chrono::steady_clock;

namespace {

double secs(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

core::Jid jid(const std::string& s) { return std::get<core::Jid>(core::Jid::parse(s)); }

using core::CountingIds;  // the same rooms and events on every run, so a seeded database can be reused

double cpu_secs() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// CPU seconds (user + system) a process of this machine has used: PostgreSQL's backend for
// our connection, read from /proc, so the figure holds apart from what else the machine runs.
double proc_cpu_secs(int pid) {
  std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return -1;
  char buf[1024];
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  const char* p = std::strrchr(buf, ')');
  unsigned long utime = 0, stime = 0;
  // after the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  if (!p || std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return -1;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Snapshot {
  std::string jid, room_id, state;
  std::uint64_t seq;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CONNINFO [ROOMS=100000] [RUNS=3]\n", argv[0]);
    return 2;
  }
  const std::string conninfo = argv[1];
  const int rooms = argc > 2 ? std::atoi(argv[2]) : 100000;
  const int runs = argc > 3 ? std::atoi(argv[3]) : 3;

  core::ServiceConfig cfg;
  cfg.domain = "rooms.bench";
  cfg.max_rooms = static_cast<std::uint32_t>(rooms) + 1;
  CountingIds ids;
  crypto::OpenSslCrypto crypto(1000);
  core::Service svc;
  std::int64_t now = 1793491200000;  // 2026-11-01T00:00:00Z: one partition
  std::vector<core::Event> log;
  std::vector<Snapshot> snapshots;
  log.reserve(static_cast<std::size_t>(rooms) * 11);
  std::mt19937 rng(20261202);
  auto run = [&](const core::Command& c) {
    core::Context ctx{cfg, now, ids, crypto};
    core::Decision d = core::execute(svc, c, ctx);
    for (auto& e : d.events) log.push_back(std::move(e));
    now += 1;
  };
  const auto t_gen = Clock::now();
  for (int i = 0; i < rooms; ++i) {
    const std::string room = "r" + std::to_string(i) + "@rooms.bench";
    const std::string owner = "owner" + std::to_string(i % 5000) + "@example.com/desk";
    run(core::Join{jid(owner), room, "owner", {}, {}, {}});
    core::ConfigChange c;
    c.persistent = i % 2 == 0;
    c.name = "Meeting " + std::to_string(i);
    run(core::Configure{core::Requester::user(jid(owner)), room, c});
    std::vector<std::string> guests;
    for (int g = 0; g < 3; ++g) {
      guests.push_back("user" + std::to_string((i * 7 + g * 13) % 20000) + "@example.com/phone" + std::to_string(g));
      run(core::Join{jid(guests.back()), room, "guest" + std::to_string(g), {}, {}, {}});
    }
    const int messages = 2 + static_cast<int>(rng() % 3);  // 2-4
    for (int m = 0; m < messages; ++m) {
      if (m == 1) {
        const core::Room& r = svc.rooms.at(room);
        snapshots.push_back({room, r.room_id, events::encode_room(r), r.seq});
      }
      run(core::SendGroupchat{jid(m % 2 ? owner : guests[0]), room, "<body>message " + std::to_string(m) + "</body>", true});
    }
    run(core::Leave{jid(guests[2]), room, {}});
  }
  std::printf("generated %d rooms, %zu events, %zu snapshots in %.2f s\n", rooms, log.size(), snapshots.size(),
              secs(t_gen));

  pqxx::connection conn(conninfo);
  sql::migrate(conn);
  const auto t_seed = Clock::now();
  bool seeded = false;
  {
    pqxx::nontransaction tx(conn);
    seeded = tx.exec1("SELECT count(*) FROM events")[0].as<std::size_t>() == log.size();
  }
  {
    sql::EventWriter writer(conn);
    for (std::size_t i = 0; i < log.size() && !seeded; i += 50000) {
      std::vector<core::Event> batch(log.begin() + static_cast<std::ptrdiff_t>(i),
                                     log.begin() + static_cast<std::ptrdiff_t>(std::min(log.size(), i + 50000)));
      writer.write(batch);
    }
    pqxx::work tx(conn);
    tx.exec0("TRUNCATE room_snapshots");
    pqxx::stream_to copy(tx, "room_snapshots", std::vector<std::string>{"room_jid", "room_id", "seq", "state"});
    for (const Snapshot& s : snapshots) copy << std::make_tuple(s.jid, s.room_id, static_cast<long long>(s.seq), s.state);
    copy.complete();
    tx.commit();
  }
  {
    pqxx::nontransaction tx(conn);
    tx.exec0("VACUUM ANALYZE");
  }
  std::printf("seeded PostgreSQL in %.2f s\n", secs(t_seed));

  int failures = 0;
  auto measure = [&](const char* what) {
    for (int r = 0; r < runs; ++r) {
      pqxx::connection c(conninfo);
      int backend = 0;
      {
        // All of PostgreSQL's work in this backend, so that its CPU time can be read.
        pqxx::nontransaction tx(c);
        tx.exec0("SET max_parallel_workers_per_gather = 0");
        backend = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
      }
      const double pg0 = proc_cpu_secs(backend);
      sql::RestoreStats st;
      const auto t = Clock::now();
      const double cpu0 = cpu_secs();
      const core::Service restored = sql::restore_from_pg(c, &st);
      const double s = secs(t), cpu = cpu_secs() - cpu0, pg = proc_cpu_secs(backend) - pg0;
      const bool same = restored == svc;
      failures += !same;
      std::printf("%s run %d: %.3f s wall, CPU %.3f s here + %.3f s PostgreSQL (snapshots %.3f s): %zu rooms, %zu from snapshots, %zu events applied%s\n", what,
                  r + 1, s, cpu, pg, st.snapshots_ms / 1000.0, st.rooms, st.snapshots, st.events,
                  same ? ", equal to the live service" : ", DIFFERS from the live service");
    }
  };
  measure("with snapshots");
  {
    pqxx::nontransaction tx(conn);
    tx.exec0("TRUNCATE room_snapshots");
  }
  measure("without snapshots");
  return failures == 0 ? 0 : 1;
}
