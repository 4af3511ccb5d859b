// What a room password costs a join, on the room loop (core::execute, as xmpp::RoomService
// runs it). Two rooms of K occupants, one open and one password-protected with PBKDF2 at
// each iteration count asked for; each sample is one join (the measured part: decision,
// password check, presence fan-out to K occupants, apply) followed by the leave that keeps
// the room at K (not measured). Open and password joins are measured in alternating blocks
// of SAMPLES/5 in the same run, so the ratio compares like with like on a noisy machine
// (blocks, not single alternation: right after a long hash the loop's caches are cold and
// an open join costs several times its usual time; the median keeps the usual one). Times are the loop thread's CPU time
// (CLOCK_THREAD_CPUTIME_ID: what the loop spends, unaffected by other processes taking the
// core) with the wall time beside it (what the joiner and every other room wait when the
// machine is busy). Also times hash_password() (an owner setting a password).
// Usage: mucstream_password_join_bench [COUNTS=2000,100000,210000,600000] [SAMPLES=30] [K=10]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "core/decide.hpp"
#include "crypto/openssl_crypto.hpp"
#include "events/ids.hpp"

using namespace mucstream;
using Clock = std::chrono::steady_clock;

namespace {

double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

struct Sample {
  double cpu_us, wall_us;
};

core::Jid jid(const std::string& s) { return std::get<core::Jid>(core::Jid::parse(s)); }

struct Loop {
  core::ServiceConfig cfg;
  core::Service svc;
  events::UuidV7Ids ids;
  crypto::OpenSslCrypto crypto;
  std::int64_t now = 1'700'000'000'000;
  explicit Loop(int iterations) : crypto(iterations) {}
  core::Decision run(const core::Command& c) {
    core::Context ctx{cfg, now += 10, ids, crypto};
    return core::execute(svc, c, ctx);
  }
  core::Join join(const std::string& user, const std::string& room, const std::string& nick,
                  std::optional<std::string> password) {
    core::Join j;
    j.user = jid(user);
    j.room = room;
    j.nick = nick;
    j.password = std::move(password);
    return j;
  }
  void room(const std::string& room, std::optional<std::string> password, int occupants) {
    const std::string owner = "owner@bench.test/desk";
    if (!run(join(owner, room, "owner", password)).ok()) std::abort();
    core::ConfigChange c;
    c.persistent = true;
    c.history_length = 0;
    if (password) {
      c.password_protected = true;
      c.password = password;
    }
    if (!run(core::Configure{core::Requester::user(jid(owner)), room, c}).ok()) std::abort();
    for (int i = 1; i < occupants; ++i)
      if (!run(join("u" + std::to_string(i) + "@bench.test/r", room, "u" + std::to_string(i), password)).ok())
        std::abort();
  }
  // One join (timed) and its leave (not timed).
  Sample join_us(const std::string& room, std::optional<std::string> password) {
    const core::Join j = join("guest@bench.test/r", room, "guest", std::move(password));
    const double c0 = thread_cpu_us();
    const auto t0 = Clock::now();
    const core::Decision d = run(j);
    const auto t1 = Clock::now();
    const double c1 = thread_cpu_us();
    if (!d.ok()) std::abort();
    if (!run(core::Leave{jid("guest@bench.test/r"), room, {}}).ok()) std::abort();
    return {c1 - c0, std::chrono::duration<double, std::micro>(t1 - t0).count()};
  }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double median_cpu(const std::vector<Sample>& v) {
  std::vector<double> x;
  for (const Sample& s : v) x.push_back(s.cpu_us);
  return median(x);
}

double median_wall(const std::vector<Sample>& v) {
  std::vector<double> x;
  for (const Sample& s : v) x.push_back(s.wall_us);
  return median(x);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> counts;
  {
    std::stringstream ss(argc > 1 ? argv[1] : "2000,100000,210000,600000");
    for (std::string item; std::getline(ss, item, ',');) counts.push_back(std::atoi(item.c_str()));
  }
  const int samples = argc > 2 ? std::atoi(argv[2]) : 30;
  const int occupants = argc > 3 ? std::atoi(argv[3]) : 10;
  std::printf("median of %d samples, %d occupants; CPU = loop thread CPU time, wall = elapsed\n", samples, occupants);
  std::printf("%-10s %14s %18s %8s %14s %18s %14s\n", "iterations", "open join CPU", "password join CPU", "ratio",
              "open join wall", "password join wall", "hash CPU");
  for (int n : counts) {
    Loop loop(n);
    loop.room("open@rooms.bench", std::nullopt, occupants);
    loop.room("locked@rooms.bench", "correct horse", occupants);
    std::vector<Sample> open, locked;
    std::vector<double> hash;
    for (int i = 0; i < 3; ++i) loop.join_us("open@rooms.bench", std::nullopt);  // warm-up
    const int block = std::max(1, samples / 5);
    for (int done = 0; done < samples; done += block) {
      for (int i = 0; i < block; ++i) open.push_back(loop.join_us("open@rooms.bench", std::nullopt));
      for (int i = 0; i < block; ++i) locked.push_back(loop.join_us("locked@rooms.bench", "correct horse"));
      for (int i = 0; i < block; ++i) {
        const double c0 = thread_cpu_us();
        (void)loop.crypto.hash_password("correct horse");
        hash.push_back(thread_cpu_us() - c0);
      }
    }
    const double o = median_cpu(open), l = median_cpu(locked);
    std::printf("%-10d %11.1f us %15.1f us %8.0f %11.1f us %15.1f us %11.1f us\n", n, o, l, l / o, median_wall(open),
                median_wall(locked), median(hash));
  }
  return 0;
}
