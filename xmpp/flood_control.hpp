#pragma once
// Token buckets per key, the one rate limiter of the room loop: the per-sender stanza limit
// and the per-(reporter, sid) P2P stats limit are both an instance of it.
//
//   TokenBuckets b(10, 30);                         // 10 per second sustained, bursts of 30
//   if (b.take(sender, now_ms) == TokenBuckets::Verdict::refuse) { ... resource-constraint ... }
//   TokenBuckets bytes(65'536, 1 << 20);            // the byte limits: take(key, now, size)
//
// The caller passes the time (monotonic milliseconds), so tests drive the clock. A key not
// seen before starts with a full bucket; keys whose bucket has refilled are forgotten at
// most once a minute, so the map holds only recently busy senders.
#include <cstdint>
#include <string>
#include <unordered_map>

namespace mucstream::xmpp {

class TokenBuckets {
 public:
  enum class Verdict { pass, refuse };

  // per_second <= 0: no limit (every take passes).
  TokenBuckets(double per_second, double burst) : rate_(per_second), burst_(burst) {}

  // One token for `key` at `now_ms`: pass (token taken) or refuse (bucket empty).
  Verdict take(const std::string& key, std::int64_t now_ms) { return take(key, now_ms, 1.0); }
  // `cost` tokens (bytes, for the byte limits). A cost above the burst passes only from a
  // full bucket and leaves it in debt, so one big item is slowed, never refused for ever.
  Verdict take(const std::string& key, std::int64_t now_ms, double cost);

  std::size_t size() const { return buckets_.size(); }
  static constexpr std::int64_t kSweepEveryMs = 60'000;

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t last_ms = 0;
  };
  double refilled(const Bucket& b, std::int64_t now_ms) const;

  double rate_;
  double burst_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::int64_t last_sweep_ms_ = 0;
};

}  // namespace mucstream::xmpp
