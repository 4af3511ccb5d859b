// What a room password costs a join, on the room loop (core::execute, as xmpp::RoomService
// runs it). Two rooms of K occupants, one open and one password-protected with PBKDF2 at
// each iteration count asked for; each sample is one join (the measured part: decision,
// password check, presence fan-out to K occupants, apply) followed by the leave that keeps
// the room at K (not measured). Open and password joins alternate in the same run, so the
// ratio compares like with like on a noisy machine. Also times hash_password() (what an
// owner setting a password costs).
// Usage: mucstream_password_join_bench [COUNTS=2000,100000,210000,600000] [SAMPLES=30] [K=10]
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
  // One join (timed) and its leave (not timed); microseconds.
  double join_us(const std::string& room, std::optional<std::string> password) {
    const core::Join j = join("guest@bench.test/r", room, "guest", std::move(password));
    const auto t0 = Clock::now();
    const core::Decision d = run(j);
    const auto t1 = Clock::now();
    if (!d.ok()) std::abort();
    if (!run(core::Leave{jid("guest@bench.test/r"), room, {}}).ok()) std::abort();
    return std::chrono::duration<double, std::micro>(t1 - t0).count();
  }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
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
  std::printf("%-12s %14s %18s %8s %16s\n", "iterations", "open join us", "password join us", "ratio",
              "hash_password us");
  for (int n : counts) {
    Loop loop(n);
    loop.room("open@rooms.bench", std::nullopt, occupants);
    loop.room("locked@rooms.bench", "correct horse", occupants);
    std::vector<double> open, locked, hash;
    for (int i = 0; i < 3; ++i) loop.join_us("open@rooms.bench", std::nullopt);  // warm-up
    for (int i = 0; i < samples; ++i) {
      open.push_back(loop.join_us("open@rooms.bench", std::nullopt));
      locked.push_back(loop.join_us("locked@rooms.bench", "correct horse"));
      const auto t0 = Clock::now();
      (void)loop.crypto.hash_password("correct horse");
      hash.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    const double o = median(open), l = median(locked);
    std::printf("%-12d %14.1f %18.1f %8.0f %16.1f\n", n, o, l, l / o, median(hash));
  }
  return 0;
}
