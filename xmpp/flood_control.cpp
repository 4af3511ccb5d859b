#include "xmpp/flood_control.hpp"

#include <algorithm>

namespace mucstream::xmpp {

double TokenBuckets::refilled(const Bucket& b, std::int64_t now_ms) const {
  return b.tokens + static_cast<double>(now_ms - b.last_ms) * rate_ / 1000.0;
}

TokenBuckets::Verdict TokenBuckets::take(const std::string& key, std::int64_t now_ms, double cost) {
  if (rate_ <= 0) return Verdict::pass;
  if (now_ms - last_sweep_ms_ > kSweepEveryMs) {  // forget keys whose bucket is full again
    last_sweep_ms_ = now_ms;
    std::erase_if(buckets_, [&](const auto& kv) { return refilled(kv.second, now_ms) >= burst_; });
  }
  auto [it, fresh] = buckets_.try_emplace(key);
  Bucket& b = it->second;
  b.tokens = fresh ? burst_ : std::min(burst_, refilled(b, now_ms));
  b.last_ms = now_ms;
  const double needed = cost > burst_ && burst_ >= 1.0 ? burst_ : cost;
  if (b.tokens < needed) return Verdict::refuse;
  b.tokens -= cost;
  return Verdict::pass;
}

}  // namespace mucstream::xmpp
