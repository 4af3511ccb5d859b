// mucstream pipeline benchmark (run through tools/bench/pipeline.sh, which starts PostgreSQL):
//   1. raw COPY of N event rows straight into `events` (the ceiling),
//   2. the same N events end to end: producer -> mock cluster -> materialiser -> PostgreSQL,
//      sustained events/s,
//   3. a steady RATE events/s for SECONDS s end to end: lag p50/p99 from publish to
//      PostgreSQL commit.
// Usage: mucstream_pipeline_bench CONNINFO [N=300000] [RATE=10000] [SECONDS=10]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "events/envelope.hpp"
#include "events/ids.hpp"
#include "events/kafka.hpp"
#include "events/log.hpp"
#include "sql/materializer.hpp"
#include "sql/migrate.hpp"

using namespace mucstream;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Rooms with a creation, a few joins and then chat: the shape of real traffic, ~250 B each.
class Traffic {
 public:
  explicit Traffic(int rooms) : rooms_(static_cast<std::size_t>(rooms)) {
    for (std::size_t r = 0; r < rooms_.size(); ++r) {
      rooms_[r].jid = "bench" + std::to_string(r) + "@rooms.localhost";
      rooms_[r].id = ids_.next_id(wall_ms());
    }
  }
  core::Event next(std::int64_t now) {
    Room& r = rooms_[i_++ % rooms_.size()];
    core::Event e;
    e.id = ids_.next_id(now);
    e.room = r.jid;
    e.room_id = r.id;
    e.seq = ++r.seq;
    e.time_ms = now;
    if (e.seq == 1) {
      e.set_data(core::data::RoomCreated{.creator = "owner@example.org"});
    } else if (e.seq <= 4) {
      r.sessions.push_back(ids_.next_id(now));
      e.actor = r.sessions.back();
      core::data::OccupantJoined j;
      j.nick = "user" + std::to_string(e.seq);
      j.jid = "user" + std::to_string(e.seq) + "@example.org/web";
      j.bare_jid = "user" + std::to_string(e.seq) + "@example.org";
      j.client.set("type", "browser");
      j.client.set("os", "Linux");
      j.client.set("browser", "Firefox");
      j.client.set("useragent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
      e.set_data(std::move(j));
    } else if (calls_) {
      call_event(r, e);
    } else if (speaking_) {
      // Every event report-relevant: the room reports' worst case (each batch folds every room).
      if (e.seq % 2) e.set_data(core::data::StartedSpeaking{});
      else e.set_data(core::data::StoppedSpeaking{});
      e.actor = r.sessions[(e.seq / 2) % r.sessions.size()];
    } else {
      e.actor = r.sessions[e.seq % r.sessions.size()];
      core::data::MessageSent m;
      m.nick = "user2";
      m.occupant_id = "b3f0c6a1d2e4";
      m.payload = "<body>message number " + std::to_string(e.seq) + " with some words in it</body>";
      e.set_data(std::move(m));
    }
    return e;
  }

 private:
  struct Room {
    std::string jid, id;
    std::uint64_t seq = 0;
    std::vector<std::string> sessions;
  };
  events::UuidV7Ids ids_;
  std::vector<Room> rooms_;
  // A call service's mix (the analytics seed's, docs/benchmarks.md): per room a P2P session
  // between its first two sessions reporting stats, ended and started anew every 120 events,
  // an audio pause or resume every 25th event, a chat message every 5th; the rest (~75 %)
  // stats samples. Every one of these feeds the call and media rollups (migration 0015).
  void call_event(Room& r, core::Event& e) {
    const std::uint64_t k = e.seq - 4;
    const std::string sid = "sid-" + std::to_string(k / 120);
    e.actor = r.sessions[0];
    if (k % 120 == 1) {
      e.peer = r.sessions[1];
      e.set_data(core::data::P2PSessionStarted{.sid = sid, .media = {"audio", "video"}});
    } else if (k % 120 == 0) {
      e.peer = r.sessions[1];
      e.set_data(core::data::P2PSessionEnded{.sid = "sid-" + std::to_string(k / 120 - 1), .reason = "success",
                                             .duration_ms = 60000});
    } else if (k % 25 == 0) {
      e.actor = r.sessions[2];
      core::data::MediaChange m{.source = "jingle", .sid = sid};
      if ((k / 25) % 2) e.set_data(core::data::AudioPaused{m});
      else e.set_data(core::data::AudioResumed{m});
    } else if (k % 5 == 0) {
      core::data::MessageSent m;
      m.nick = "user2";
      m.occupant_id = "b3f0c6a1d2e4";
      m.payload = "<body>message number " + std::to_string(e.seq) + " with some words in it</body>";
      e.set_data(std::move(m));
    } else {
      e.peer = r.sessions[1];
      core::Value f = core::Value::object();
      f.set("rtt_ms", 20.0 + static_cast<double>(k % 1500) / 10.0);
      f.set("jitter_ms", static_cast<double>(k % 300) / 10.0);
      f.set("packet_loss", static_cast<double>(k % 80) / 10000.0);
      f.set("local_candidate_type", k % 7 ? "host" : "relay");
      f.set("remote_candidate_type", "srflx");
      e.set_data(core::data::P2PSessionStats{.sid = sid, .figures = std::move(f)});
    }
  }
  // MUCSTREAM_BENCH_TRAFFIC=speaking: speaking events instead of chat messages;
  // MUCSTREAM_BENCH_TRAFFIC=calls: call_event()'s mix.
  const char* const traffic_ = std::getenv("MUCSTREAM_BENCH_TRAFFIC");
  const bool speaking_ = traffic_ != nullptr && std::string(traffic_) == "speaking";
  const bool calls_ = traffic_ != nullptr && std::string(traffic_) == "calls";
  std::size_t i_ = 0;
};

void reset(const std::string& pg) {
  pqxx::connection c(pg);
  pqxx::work tx(c);
  tx.exec0("TRUNCATE events, rooms, users");
  tx.commit();
}

double percentile(std::vector<std::int64_t>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return static_cast<double>(v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))]);
}

sql::MaterializerConfig materializer_config(const std::string& brokers, const std::string& pg, const std::string& group) {
  sql::MaterializerConfig c;
  c.pg = pg;
  // The mock cluster answers a waiting fetch only when fetch.wait.max.ms expires (a real
  // broker answers as soon as data arrives), so keep the wait short as `mucstreamd all` does.
  c.consumer = events::ConsumerConfig{brokers, group, {"mucstream.events"},
                                      {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}, {"fetch.wait.max.ms", "20"}}};
  c.batch_max = 10000;
  c.batch_ms = 50;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CONNINFO [N] [RATE] [SECONDS]\n", argv[0]);
    return 2;
  }
  const std::string pg = argv[1];
  const std::size_t n = argc > 2 ? std::stoul(argv[2]) : 300000;
  const int rate = argc > 3 ? std::stoi(argv[3]) : 10000;
  const int seconds = argc > 4 ? std::stoi(argv[4]) : 10;
  core::set_log_sink([](core::LogLevel l, std::string_view c, std::string_view m) {
    if (l >= core::LogLevel::warn)
      std::fprintf(stderr, "%.*s: %.*s\n", static_cast<int>(c.size()), c.data(), static_cast<int>(m.size()), m.data());
  });
  {
    pqxx::connection c(pg);
    sql::migrate(c);
  }
  Traffic traffic(1000);
  std::vector<core::Event> batch;
  batch.reserve(n);
  const std::int64_t t0 = wall_ms();
  for (std::size_t i = 0; i < n; ++i) batch.push_back(traffic.next(t0));

  // 1. Raw COPY of the same rows into the same table, 10k rows per transaction.
  double copy_rate = 0;
  {
    reset(pg);
    pqxx::connection c(pg);
    {
      pqxx::work tx(c);
      tx.exec_params("SELECT mucstream_ensure_event_partition($1::timestamptz)", events::format_time(t0));
      tx.commit();
    }
    const auto start = Clock::now();
    for (std::size_t i = 0; i < n; i += 10000) {
      pqxx::work tx(c);
      pqxx::stream_to copy(tx, "events",
                           std::vector<std::string>{"id", "time", "type", "room", "room_id", "seq", "actor", "peer", "data"});
      for (std::size_t k = i; k < std::min(n, i + 10000); ++k) {
        const core::Event& e = batch[k];
        copy << std::make_tuple(e.id, events::format_time(e.time_ms), std::string(core::to_string(e.type)), e.room,
                                e.room_id, static_cast<long long>(e.seq),
                                e.actor.empty() ? std::optional<std::string>() : std::optional<std::string>(e.actor),
                                e.peer, events::encode_data(e.data));
      }
      copy.complete();
      tx.commit();
    }
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    copy_rate = static_cast<double>(n) / s;
    std::printf("raw COPY into events:        %zu rows in %.2f s = %.0f rows/s\n", n, s, copy_rate);
  }

  // 2. End to end, everything at once: sustained events/s from first publish to last commit.
  double e2e_rate = 0;
  {
    reset(pg);
    events::MockCluster mock(3);
    mock.create_topic("mucstream.events", 64);
    mock.create_topic("mucstream.events.dlq", 2);
    std::atomic<std::uint64_t> stored{0};
    auto cfg = materializer_config(mock.bootstraps(), pg, "bench-burst");
    cfg.after_pg_commit = [&](std::uint64_t, const std::vector<core::Event>& ev) { stored += ev.size(); };
    sql::Materializer m(cfg);
    std::atomic<bool> stop{false};
    std::thread mt([&] { m.run(stop); });
    // Let the group form before timing (a join takes ~3 s and is not throughput).
    while (m.stats().assigned == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    events::Producer p(events::ProducerConfig{mock.bootstraps(), "mucstream.events", {}, events::ProducerConfig::QueueFull::wait,
                                              5000, ""});
    const auto start = Clock::now();
    for (const auto& e : batch) p.publish(e);
    p.flush(60000);
    while (stored.load() < n) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    e2e_rate = static_cast<double>(n) / s;
    stop = true;
    mt.join();
    pqxx::connection c(pg);
    pqxx::nontransaction tx(c);
    const auto rows = tx.exec1("SELECT count(*) FROM events")[0].as<std::size_t>();
    std::printf("end to end (burst of %zu):  %zu rows in %.2f s = %.0f events/s (%.2fx raw COPY)\n", n, rows, s, e2e_rate,
                e2e_rate / copy_rate);
    if (rows != n) std::printf("  ROW COUNT MISMATCH: %zu != %zu\n", rows, n);
  }

  // 3. Steady RATE events/s for SECONDS s: publish-to-commit lag.
  {
    reset(pg);
    events::MockCluster mock(3);
    mock.create_topic("mucstream.events", 64);
    mock.create_topic("mucstream.events.dlq", 2);
    std::mutex mu;
    std::vector<std::int64_t> lags;
    auto cfg = materializer_config(mock.bootstraps(), pg, "bench-steady");
    cfg.after_pg_commit = [&](std::uint64_t, const std::vector<core::Event>& ev) {
      const std::int64_t now = wall_ms();
      std::lock_guard lock(mu);
      for (const auto& e : ev) lags.push_back(now - e.time_ms);
    };
    sql::Materializer m(cfg);
    std::atomic<bool> stop{false};
    std::thread mt([&] { m.run(stop); });
    while (m.stats().assigned == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    events::Producer p(events::ProducerConfig{mock.bootstraps(), "mucstream.events", {}, events::ProducerConfig::QueueFull::wait,
                                              5000, ""});
    Traffic steady(1000);
    const std::size_t total = static_cast<std::size_t>(rate) * static_cast<std::size_t>(seconds);
    const auto start = Clock::now();
    for (std::size_t i = 0; i < total; ++i) {
      // pace in 1 ms steps
      const auto due = start + std::chrono::microseconds(static_cast<std::int64_t>(i) * 1000000 / rate);
      if (Clock::now() < due) std::this_thread::sleep_until(due);
      p.publish(steady.next(wall_ms()));
    }
    p.flush(60000);
    for (;;) {
      {
        std::lock_guard lock(mu);
        if (lags.size() >= total) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stop = true;
    mt.join();
    std::printf("steady %d events/s for %d s: lag publish->PostgreSQL commit p50 %.0f ms, p99 %.0f ms, max %.0f ms\n",
                rate, seconds, percentile(lags, 0.50), percentile(lags, 0.99), percentile(lags, 1.0));
  }
  return 0;
}
